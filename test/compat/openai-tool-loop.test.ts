import { env } from "cloudflare:test";
import type OpenAI from "openai";
import { beforeAll, describe, expect, it } from "vitest";
import { addTestModels } from "../helpers/catalog";
import { createUser, drained, openai, usageRows } from "../helpers/gateway";
import weatherTool from "../../clients/drivers/weather-tool.json";
import { upstreamReceived } from "./corpus";

// Issue 13, must show 3: OpenAI's documented function-calling loop
// (platform.openai.com/docs/guides/function-calling), with the node SDK, through the gateway to
// the stand-in's `tool-loop` scenario: two tool calls, then text. The returned message is
// appended to `messages` exactly as the SDK returned it, annotations and refusal included.

const MODEL = "test-openai-tool-loop";

/** The tool of OpenAI's function-calling guide, as the recorded node client used it. */
const weather = weatherTool as OpenAI.Chat.Completions.ChatCompletionFunctionTool;

const TEMPERATURES: Record<string, number> = { Paris: 21, Rome: 24 };

beforeAll(() => addTestModels(env, [[MODEL, "openai", "tool-loop"]]));

describe("OpenAI's documented tool loop with the returned message appended unchanged", () => {
  it("runs three turns with the node SDK: two tool calls, then the answer; each turn's history reaches the upstream as sent", async () => {
    const { key, userId } = await createUser("5.00");
    const client = openai(key);
    const marker = `loop-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
      { role: "user", content: `What is the weather in Paris and in Rome? (${marker})` },
    ];
    const returned: OpenAI.Chat.Completions.ChatCompletionMessage[] = [];
    for (let turn = 0; turn < 3; turn++) {
      const completion = await client.chat.completions.create({ model: MODEL, messages, tools: [weather] });
      const message = completion.choices[0]!.message;
      // Real OpenAI answers carry these, and the documented loop sends them back.
      expect(message).toMatchObject({ refusal: null, annotations: [] });
      returned.push(message);
      messages.push(message);
      for (const call of message.tool_calls ?? []) {
        if (call.type !== "function") throw new Error(`unexpected ${call.type} tool call`);
        const { city } = JSON.parse(call.function.arguments) as { city: string };
        messages.push({ role: "tool", tool_call_id: call.id, content: JSON.stringify({ city, celsius: TEMPERATURES[city] }) });
      }
    }
    const said = (m: OpenAI.Chat.Completions.ChatCompletionMessage) => {
      const call = m.tool_calls?.[0];
      return call?.type === "function" ? call.function.arguments : m.content;
    };
    expect(returned.map(said)).toEqual([
      '{"city":"Paris"}', '{"city":"Rome"}', "Paris 21°C, Rome 24°C.",
    ]);

    // What the upstream got: the conversation so far, each returned message exactly as returned.
    const sent = (await upstreamReceived("tool-loop")).filter((r) => JSON.stringify(r.body.messages).includes(marker));
    expect(sent.map((r) => (r.body.messages as unknown[]).length)).toEqual([1, 3, 5]);
    const last = sent[2]!.body.messages as unknown[];
    expect(last[1]).toEqual(JSON.parse(JSON.stringify(returned[0])));
    expect(last[3]).toEqual(JSON.parse(JSON.stringify(returned[1])));
    expect(last[4]).toEqual({ role: "tool", tool_call_id: "call_loop_1", content: '{"city":"Rome","celsius":24}' });

    // Three billed calls at the test price: 40 in × 1000 + 12 out × 2000 nUSD each.
    await drained(userId);
    const rows = await usageRows(userId);
    expect(rows.map((r) => [r.status, r.prompt_tokens, r.completion_tokens, r.cost_nano])).toEqual([
      ["success", 40, 12, 64_000], ["success", 40, 12, 64_000], ["success", 40, 12, 64_000],
    ]);
  });
});
