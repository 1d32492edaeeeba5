import { env } from "cloudflare:test";
import type OpenAI from "openai";
import { beforeAll, describe, expect, it } from "vitest";
import { formatUsd } from "../../src/lib/money";
import { invalidateCatalog } from "../../src/catalog/catalog";
import { TEST_PRICE } from "../helpers/catalog";
import { createUser, drained, openai, usageRows } from "../helpers/gateway";

// The official openai SDK calling Claude and Gemini models through the gateway's OpenAI surface,
// against recorded fixtures (test/fixtures/providers/README.md). Test prices (nUSD per token):
// input 1000, cached 500, output 2000.

beforeAll(async () => {
  await env.DB.prepare(
    `INSERT OR REPLACE INTO models (id, name, provider, upstream_model, kind, context_length, max_output_tokens, input_price, output_price, cached_input_price, cache_write_price, capabilities, enabled, price_source, price_updated_at)
     VALUES ('sdkcg-gemini-parallel', 'Test sdkcg-gemini-parallel', 'google', 'fixture:google/google-stream-no-args-tool-call', 'chat', 100000, 1000, ?, ?, ?, NULL, '[]', 1, 'test', '2026-11-01')`,
  ).bind(TEST_PRICE.input, TEST_PRICE.output, TEST_PRICE.cached).run();
  invalidateCatalog();
});

const CREDITS = 5_000_000_000; // 5.00 USD
type Usage = OpenAI.CompletionUsage & { cost?: number; prompt_tokens_details?: { cached_tokens?: number } };

/** usage figures + the exact cost (compared as the decimal string of the nUSD amount). */
function expectUsage(u: Usage | null | undefined, prompt: number, completion: number, cost: number) {
  expect(u).toMatchObject({ prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion });
  expect(String(u!.cost)).toBe(formatUsd(cost));
}

/** Streams with the SDK, checking every chunk's id; returns chunks, joined text and the usage chunk's usage. */
async function streamText(client: OpenAI, model: string, includeUsage: boolean) {
  const s = await client.chat.completions.create({ model, messages: [{ role: "user", content: "hi" }], stream: true, ...(includeUsage ? { stream_options: { include_usage: true } } : {}) });
  const chunks: OpenAI.ChatCompletionChunk[] = [];
  for await (const ch of s) chunks.push(ch);
  const id = chunks[0]!.id;
  expect(id).toMatch(/^gen-/);
  for (const ch of chunks) expect(ch).toMatchObject({ id, object: "chat.completion.chunk", model });
  const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
  const finishes = chunks.flatMap((c) => c.choices.map((x) => x.finish_reason).filter((f) => f));
  const usages = chunks.filter((c) => c.usage);
  expect(usages).toHaveLength(includeUsage ? 1 : 0);
  return { id, text, finishes, usage: usages[0]?.usage as Usage | undefined };
}

describe("openai SDK → Claude and Gemini text", () => {
  const CASES = [
    {
      model: "test-claude-text", provider: "anthropic",
      // anthropic-text.json 12/29: 12 × 1000 + 29 × 2000 = 70,000
      json: { prompt: 12, completion: 29, cost: 70_000, text: "Hello! I'm doing well, thanks for asking. How are you doing today? Is there anything I can help you with?" },
      // anthropic-text.chunks.txt final 12/30: 12 × 1000 + 30 × 2000 = 72,000
      chunks: { prompt: 12, completion: 30, cost: 72_000, text: "Hello! I'm doing well, thank you for asking. How are you doing today? Is there anything I can help you with?" },
    },
    {
      model: "test-gemini-text", provider: "google",
      // google-text.json 9 / 28 + 244 thoughts: 9 × 1000 + 272 × 2000 = 553,000
      json: { prompt: 9, completion: 272, cost: 553_000, text: "There are **3** r's in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y." },
      // google-text.chunks.txt last 9 / 23 + 185: 9 × 1000 + 208 × 2000 = 425,000
      chunks: { prompt: 9, completion: 208, cost: 425_000, text: 'There are **3** "r"s in strawberry.\n\nst**r**awbe**rr**y' },
    },
  ] as const;

  for (const c of CASES) {
    it(`${c.model}: non-stream, stream with and without include_usage; exact usage, cost and D1 rows`, async () => {
      const { key, userId } = await createUser(formatUsd(CREDITS));
      const client = openai(key);
      const { data, response } = await client.chat.completions.create({ model: c.model, messages: [{ role: "user", content: "hi" }] }).withResponse();
      expect(data).toMatchObject({ object: "chat.completion", model: c.model, id: response.headers.get("x-request-id") });
      expect(response.headers.get("x-gateway-provider")).toBe(c.provider);
      expect(data.choices).toHaveLength(1);
      expect(data.choices[0]).toMatchObject({ index: 0, finish_reason: "stop", message: { role: "assistant", content: c.json.text } });
      expectUsage(data.usage as Usage, c.json.prompt, c.json.completion, c.json.cost);

      const withUsage = await streamText(client, c.model, true);
      expect(withUsage.text).toBe(c.chunks.text);
      expect(withUsage.finishes).toEqual(["stop"]);
      expectUsage(withUsage.usage, c.chunks.prompt, c.chunks.completion, c.chunks.cost);
      const without = await streamText(client, c.model, false);
      expect(without.text).toBe(c.chunks.text);
      expect(without.finishes).toEqual(["stop"]);

      const s = await drained(userId);
      expect(s.balanceNano).toBe(CREDITS - c.json.cost - 2 * c.chunks.cost);
      const rows = await usageRows(userId);
      expect(rows.map((r) => [r.request_id, r.provider, r.stream, r.prompt_tokens, r.completion_tokens, r.cost_nano]).sort()).toEqual([
        [data.id, c.provider, 0, c.json.prompt, c.json.completion, c.json.cost],
        [withUsage.id, c.provider, 1, c.chunks.prompt, c.chunks.completion, c.chunks.cost],
        [without.id, c.provider, 1, c.chunks.prompt, c.chunks.completion, c.chunks.cost],
      ].sort());
    });
  }
});

const WEATHER_TOOL: OpenAI.ChatCompletionTool = {
  type: "function",
  function: { name: "weather", description: "Weather for a location", parameters: { type: "object", properties: { location: { type: "string" } }, required: ["location"] } },
};

/** SDK stream helper (ChatCompletionStream): assembles tool calls the SDK's way and returns the final completion. */
async function streamTools(client: OpenAI, model: string, tools: OpenAI.ChatCompletionTool[]) {
  const s = client.chat.completions.stream({ model, messages: [{ role: "user", content: "What is the weather in San Francisco?" }], tools, tool_choice: "auto", stream_options: { include_usage: true } });
  const chunks: OpenAI.ChatCompletionChunk[] = [];
  for await (const ch of s) chunks.push(ch);
  const final = await s.finalChatCompletion();
  const id = chunks[0]!.id;
  expect(chunks.every((c) => c.id === id)).toBe(true);
  expect(final.id).toBe(id);
  const usage = chunks.filter((c) => c.usage).map((c) => c.usage as Usage);
  expect(usage).toHaveLength(1);
  const choice = final.choices[0]!;
  const calls = (choice.message.tool_calls ?? []).map((t) => {
    expect(t.type).toBe("function");
    const f = (t as OpenAI.ChatCompletionMessageFunctionToolCall).function;
    return { id: t.id, name: f.name, args: f.arguments };
  });
  return { id, chunks, choice, calls, usage: usage[0]! };
}

describe("openai SDK → streamed tool calls from Claude and Gemini", () => {
  it("Claude (anthropic-json-tool.2.chunks.txt): input_json_delta fragments assembled into one call", async () => {
    const { key, userId } = await createUser(formatUsd(CREDITS));
    const jsonTool: OpenAI.ChatCompletionTool = { type: "function", function: { name: "json", parameters: { type: "object", properties: { elements: { type: "array" } } } } };
    const r = await streamTools(openai(key), "test-claude-tools", [jsonTool]);
    expect(r.choice.finish_reason).toBe("tool_calls");
    expect(r.choice.message.content).toBe("I'll invoke the JSON response tool.");
    expect(r.calls).toEqual([{ id: "toolu_01KFbKqPYSuAKujiL6mTfzYA", name: "json", args: '{"elements": [{"location": "San Francisco", "temperature": 58, "condition": "sunny"}]}' }]);
    expect(JSON.parse(r.calls[0]!.args)).toEqual({ elements: [{ location: "San Francisco", temperature: 58, condition: "sunny" }] });
    // 849 × 1000 + 47 × 2000 = 943,000
    expectUsage(r.usage, 849, 47, 943_000);
    await drained(userId);
    expect((await usageRows(userId))[0]).toMatchObject({ request_id: r.id, provider: "anthropic", prompt_tokens: 849, completion_tokens: 47, cost_nano: 943_000 });
  });

  it("Gemini (google-tool-call.chunks.txt): a whole functionCall without id gets call_<request id>_0, STOP → tool_calls", async () => {
    const { key, userId } = await createUser(formatUsd(CREDITS));
    const r = await streamTools(openai(key), "test-gemini-tools", [WEATHER_TOOL]);
    expect(r.choice.finish_reason).toBe("tool_calls");
    expect(r.choice.message.content ?? null).toBeNull();
    expect(r.calls).toEqual([{ id: `call_${r.id}_0`, name: "weather", args: '{"location":"San Francisco"}' }]);
    // 29 / 15 + 45 thoughts = 60: 29 × 1000 + 60 × 2000 = 149,000
    expectUsage(r.usage, 29, 60, 149_000);
    await drained(userId);
    expect((await usageRows(userId))[0]).toMatchObject({ request_id: r.id, provider: "google", prompt_tokens: 29, completion_tokens: 60, reasoning_tokens: 45, cost_nano: 149_000 });
  });

  it("Gemini (google-stream-no-args-tool-call.chunks.txt): a call without args and 3 parallel partialArgs calls", async () => {
    const { key, userId } = await createUser(formatUsd(CREDITS));
    const screen: OpenAI.ChatCompletionTool = { type: "function", function: { name: "read_screen", parameters: { type: "object", properties: { id: { type: "string" } } } } };
    const theme: OpenAI.ChatCompletionTool = { type: "function", function: { name: "read_theme" } };
    const r = await streamTools(openai(key), "sdkcg-gemini-parallel", [theme, screen]);
    expect(r.choice.finish_reason).toBe("tool_calls");
    expect(r.calls).toEqual([
      { id: `call_${r.id}_0`, name: "read_theme", args: "{}" },
      { id: `call_${r.id}_1`, name: "read_screen", args: '{"id":"A"}' },
      { id: `call_${r.id}_2`, name: "read_screen", args: '{"id":"B"}' },
      { id: `call_${r.id}_3`, name: "read_screen", args: '{"id":"C"}' },
    ]);
    // The thought summary part (thought: true) arrives as reasoning_content, not content.
    const deltas = r.chunks.flatMap((c) => c.choices.map((x) => x.delta as { content?: string | null; reasoning_content?: string }));
    expect(deltas.map((d) => d.reasoning_content ?? "").join("")).toMatch(/^\*\*Processing User Requests\*\*/);
    expect(deltas.map((d) => d.content ?? "").join("")).toBe("");
    // Only the last chunk has token counts (the others: trafficType only): 249 / 58 + 183 = 241.
    // 249 × 1000 + 241 × 2000 = 731,000
    expectUsage(r.usage, 249, 241, 731_000);
    await drained(userId);
    expect((await usageRows(userId))[0]).toMatchObject({ request_id: r.id, provider: "google", prompt_tokens: 249, completion_tokens: 241, reasoning_tokens: 183, cost_nano: 731_000 });
  });
});
