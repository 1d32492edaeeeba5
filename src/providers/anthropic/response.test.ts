import { describe, expect, it } from "vitest";
import text from "../../../test/fixtures/providers/anthropic/anthropic-text.json";
import toolNoArgs from "../../../test/fixtures/providers/anthropic/anthropic-tool-no-args.json";
import jsonTool from "../../../test/fixtures/providers/anthropic/anthropic-json-tool.1.json";
import clearThinking from "../../../test/fixtures/providers/anthropic/anthropic-clear-thinking.1.json";
import opus5 from "../../../test/fixtures/providers/anthropic/anthropic-claude-opus-5-reasoning-high.1.json";
import { ApiError } from "../../errors";
import { anthropicChat } from "./index";
import { JSON_RESPONSE_TOOL } from "./shared";
import { checkCompletion, ctx } from "../../../test/helpers/anthropic-provider";

const translate = (body: unknown) => {
  const out = anthropicChat.response(body, ctx);
  checkCompletion(out.completion);
  return out;
};

describe("anthropic response() on recorded non-streamed responses", () => {
  it("anthropic-text.json: text, end_turn → stop, usage 12/29", () => {
    const { completion, usage } = translate(text);
    expect(completion.id).toBe(ctx.requestId);
    expect(completion.model).toBe(ctx.model);
    expect(completion.created).toBe(ctx.created);
    const choice = completion.choices[0]!;
    expect(choice.message.content).toBe(text.content[0]!.text);
    expect(choice.message.tool_calls).toBeUndefined();
    expect(choice.message.reasoning_content).toBeUndefined();
    expect(choice.finish_reason).toBe("stop");
    expect(usage).toEqual({ promptTokens: 12, completionTokens: 29, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
    expect(completion.usage).toEqual({
      prompt_tokens: 12, completion_tokens: 29, total_tokens: 41,
      prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 },
    });
  });

  it("anthropic-tool-no-args.json: text + tool_use with input {} → arguments \"{}\", tool_calls, 602/93", () => {
    const { completion, usage } = translate(toolNoArgs);
    const choice = completion.choices[0]!;
    expect(choice.message.content).toBe(toolNoArgs.content[0]!.text);
    expect(choice.message.tool_calls).toEqual([
      { id: "toolu_01LRmxn9vGM1d2DZSDBowdZ1", type: "function", function: { name: "updateIssueList", arguments: "{}" } },
    ]);
    expect(choice.finish_reason).toBe("tool_calls");
    expect(usage).toEqual({ promptTokens: 602, completionTokens: 93, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
  });

  it("anthropic-json-tool.1.json: a caller tool named json with nested input, no text → content null, 1151/87", () => {
    const { completion, usage } = translate(jsonTool);
    const choice = completion.choices[0]!;
    expect(choice.message.content).toBeNull();
    expect(choice.message.tool_calls).toHaveLength(1);
    const call = choice.message.tool_calls![0]!;
    expect(call).toMatchObject({ id: "toolu_01Q9ExVZnzZj7E2QQYHYtNUa", type: "function", function: { name: "json" } });
    expect(JSON.parse(call.function.arguments)).toEqual(jsonTool.content[0]!.input);
    expect(choice.finish_reason).toBe("tool_calls");
    expect(usage).toEqual({ promptTokens: 1151, completionTokens: 87, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
  });

  it("the injected response_format tool comes back as content JSON text with finish_reason stop", () => {
    const body = { ...jsonTool, content: [{ ...jsonTool.content[0]!, name: JSON_RESPONSE_TOOL }] };
    const { completion } = translate(body);
    const choice = completion.choices[0]!;
    expect(choice.message.tool_calls).toBeUndefined();
    expect(JSON.parse(choice.message.content!)).toEqual(jsonTool.content[0]!.input);
    expect(choice.finish_reason).toBe("stop");
  });

  it("the injected tool with empty input yields \"{}\" and replaces stray text", () => {
    const body = { ...text, content: [{ type: "text", text: "Here:" }, { type: "tool_use", id: "toolu_1", name: JSON_RESPONSE_TOOL, input: {} }], stop_reason: "tool_use" };
    expect(translate(body).completion.choices[0]!.message.content).toBe("{}");
  });

  it("anthropic-clear-thinking.1.json: thinking → reasoning_content, text → content, 69/33 (no separate thinking count)", () => {
    const { completion, usage } = translate(clearThinking);
    const m = completion.choices[0]!.message;
    expect(m.reasoning_content).toBe("925 divided by 5 = 185");
    expect(m.content).toBe("925 ÷ 5 = 185");
    expect(completion.choices[0]!.finish_reason).toBe("stop");
    expect(usage).toEqual({ promptTokens: 69, completionTokens: 33, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
  });

  it("anthropic-claude-opus-5-reasoning-high.1.json: thinking_tokens 139 → reasoningTokens, 51/1699", () => {
    const { completion, usage } = translate(opus5);
    const m = completion.choices[0]!.message;
    expect(m.reasoning_content).toBe(opus5.content[0]!.thinking);
    expect(m.content).toBe(opus5.content[1]!.text);
    expect(usage).toEqual({ promptTokens: 51, completionTokens: 1699, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 139 });
    expect(completion.usage).toMatchObject({ prompt_tokens: 51, completion_tokens: 1699, total_tokens: 1750, completion_tokens_details: { reasoning_tokens: 139 } });
  });
});

describe("anthropic response() edge cases", () => {
  const base = { id: "msg_1", type: "message", role: "assistant", model: "claude-x", stop_sequence: null };

  it.each([
    ["end_turn", "stop"], ["stop_sequence", "stop"], ["pause_turn", "stop"], ["max_tokens", "length"],
    ["model_context_window_exceeded", "length"], ["refusal", "content_filter"], ["something_new", "stop"],
  ])("stop_reason %s → %s", (stop_reason, expected) => {
    const { completion } = translate({ ...base, content: [{ type: "text", text: "x" }], stop_reason, usage: { input_tokens: 1, output_tokens: 1 } });
    expect(completion.choices[0]!.finish_reason).toBe(expected);
  });

  it("cache reads and writes are part of the prompt", () => {
    const { usage, completion } = translate({
      ...base, content: [{ type: "text", text: "x" }], stop_reason: "end_turn",
      usage: { input_tokens: 6, cache_creation_input_tokens: 3337, cache_read_input_tokens: 6289, output_tokens: 198 },
    });
    expect(usage).toEqual({ promptTokens: 9632, completionTokens: 198, cachedTokens: 6289, cacheWriteTokens: 3337, reasoningTokens: 0 });
    expect(completion.usage).toMatchObject({ prompt_tokens: 9632, prompt_tokens_details: { cached_tokens: 6289, cache_write_tokens: 3337 } });
  });

  it("skips server tools, redacted thinking and unknown blocks; keeps parallel client tool calls in order", () => {
    const { completion } = translate({
      ...base, stop_reason: "tool_use", usage: { input_tokens: 1, output_tokens: 2 },
      content: [
        { type: "redacted_thinking", data: "xyz" },
        { type: "server_tool_use", id: "srvtoolu_1", name: "web_search", input: { query: "q" } },
        { type: "web_search_tool_result", tool_use_id: "srvtoolu_1", content: [] },
        { type: "text", text: "A" },
        { type: "text", text: "B" },
        { type: "tool_use", id: "toolu_a", name: "f", input: { x: 1 } },
        { type: "tool_use", id: "toolu_b", name: "g", input: {} },
      ],
    });
    const m = completion.choices[0]!.message;
    expect(m.content).toBe("AB");
    expect(m.reasoning_content).toBeUndefined();
    expect(m.tool_calls!.map((t) => [t.id, t.function.name, t.function.arguments])).toEqual([["toolu_a", "f", '{"x":1}'], ["toolu_b", "g", "{}"]]);
  });

  it("missing or invalid usage → usage null and no OpenAI usage", () => {
    const { usage, completion } = translate({ ...base, content: [], stop_reason: "end_turn" });
    expect(usage).toBeNull();
    expect(completion.usage).toBeUndefined();
    expect(completion.choices[0]!.message.content).toBeNull();
  });

  it("a body that is not a message is a 502", () => {
    for (const body of [null, "x", {}, { type: "error", error: { type: "overloaded_error", message: "Overloaded" } }]) {
      expect(() => anthropicChat.response(body, ctx)).toThrow(ApiError);
    }
  });
});
