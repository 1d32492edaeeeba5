import { describe, expect, it } from "vitest";
import type { ChatCompletionRequest } from "../wire/chat";
import { classifyChatRequest, LONG_CONTEXT_TOKENS, type ClassifiableRequest } from "./classify";

const user = (content: ChatCompletionRequest["messages"][number]["content"]): ClassifiableRequest =>
  ({ messages: [{ role: "user", content }] } as ClassifiableRequest);

const tool = { type: "function" as const, function: { name: "get_weather", parameters: { type: "object" } } };
const image = { type: "image_url" as const, image_url: { url: "https://example.test/cat.png" } };

describe("classifyChatRequest", () => {
  it("plain conversation is chat", () => {
    const c = classifyChatRequest(user("Hi! Can you suggest a name for my new puppy?"));
    expect(c).toMatchObject({ task: "chat", signals: [] });
    expect(c.promptTokens).toBeGreaterThan(0);
  });

  it("an image part makes vision, before every other rule (tools, code)", () => {
    const req = { ...user([{ type: "text", text: "```js\nconsole.log(1)\n``` what is in this picture?" }, image]), tools: [tool] };
    const c = classifyChatRequest(req);
    expect(c.task).toBe("vision");
    expect(c.signals).toEqual(["image input (1)"]);
  });

  it("tools present makes tools, before code and long context", () => {
    expect(classifyChatRequest({ ...user("Fix this:\n```py\nprint(x)\n```"), tools: [tool] }).task).toBe("tools");
    expect(classifyChatRequest({ ...user("x".repeat(LONG_CONTEXT_TOKENS * 4)), tools: [tool] }).task).toBe("tools");
  });

  it("tool calls in the history make tools even without a tools array", () => {
    const req = {
      messages: [
        { role: "user", content: "weather?" },
        { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "get_weather", arguments: "{}" } }] },
        { role: "tool", content: "sunny", tool_call_id: "c1" },
      ],
    } as ClassifiableRequest;
    expect(classifyChatRequest(req)).toMatchObject({ task: "tools", signals: ["tool calls in history"] });
  });

  it("an empty tools array is not tools", () => {
    expect(classifyChatRequest({ ...user("hello"), tools: [] }).task).toBe("chat");
  });

  it("a prompt over the threshold is long_context, before code signals", () => {
    const big = "The quarterly report says revenue grew. ".repeat(Math.ceil((LONG_CONTEXT_TOKENS * 3) / 40) + 10);
    const c = classifyChatRequest(user(`${big}\n\`\`\`ts\nconst x = 1;\n\`\`\``));
    expect(c.task).toBe("long_context");
    expect(c.promptTokens).toBeGreaterThanOrEqual(LONG_CONTEXT_TOKENS);
  });

  it("the long-context threshold can be changed", () => {
    expect(classifyChatRequest(user("a".repeat(3000)), { longContextTokens: 500 }).task).toBe("long_context");
    expect(classifyChatRequest(user("a".repeat(3000))).task).toBe("chat");
  });

  it.each([
    ["a code fence", "Why does this fail?\n```\nfoo()\n```"],
    ["a Python traceback", "Traceback (most recent call last):\n  File \"app.py\", line 3, in <module>\n    main()\nNameError: name 'main' is not defined"],
    ["a JS stack trace", "TypeError: x is undefined\n    at render (src/app.js:10:5)\n    at main (src/index.js:3:1)"],
    ["a Rust panic", "thread 'main' panicked at src/main.rs:4:5: index out of bounds"],
    ["language syntax", "def add(a, b):\n    return a + b"],
    ["imports", "import numpy as np\nwhy is np.dot slow?"],
    ["syntax + vocabulary", "const total = items.reduce((a, b) => a + b, 0)"],
    ["programming vocabulary and tokens", "How do I refactor this TypeScript function? It uses a => b everywhere."],
  ])("code: %s", (_label, text) => {
    expect(classifyChatRequest(user(text)).task).toBe("code");
  });

  it.each([
    ["LaTeX", "Evaluate \\int_0^1 x^2 \\, dx"],
    ["display math", "Simplify $$\\frac{a}{b} + \\frac{c}{d}$$"],
    ["math symbols", "Is ∑ 1/n² finite?"],
    ["a proof request", "Prove that there are infinitely many primes."],
    ["an equation", "Solve 2x + 3 = 11 for x."],
    ["step by step + math vocabulary", "Step by step, what is the probability of two sixes with two dice?"],
  ])("math_reasoning: %s", (_label, text) => {
    expect(classifyChatRequest(user(text)).task).toBe("math_reasoning");
  });

  it("prose that merely looks like code keywords stays chat", () => {
    expect(classifyChatRequest(user("Import duties on coffee rose this year. Let me know what you think.")).task).toBe("chat");
    expect(classifyChatRequest(user("One bug in my garden ate the lettuce.")).task).toBe("chat");
  });

  it("code and math signals: the higher score wins, a tie goes to code", () => {
    const math = classifyChatRequest(user("Prove by induction that the sum of the first n odd numbers is n^2."));
    expect(math.task).toBe("math_reasoning");
    const tie = classifyChatRequest(user("Prove and solve:\n```\nx = 1\n```")); // code fence 3; proof 2 + math terms 1
    expect(tie.scores.code).toBe(tie.scores.math);
    expect(tie.task).toBe("code");
  });

  it("reads text parts of array content and system messages", () => {
    const req = {
      messages: [
        { role: "system", content: [{ type: "text", text: "You are a Python tutor." }] },
        { role: "user", content: [{ type: "text", text: "```python\nprint('hi')\n```" }] },
      ],
    } as ClassifiableRequest;
    expect(classifyChatRequest(req).task).toBe("code");
  });

  it("is pure: same input, same answer", () => {
    const req = user("Prove that sqrt(2) is irrational.");
    expect(classifyChatRequest(req)).toEqual(classifyChatRequest(req));
  });
});
