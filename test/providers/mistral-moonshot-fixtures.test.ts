import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { formatUsd } from "../../src/lib/money";
import { addTestModels } from "../helpers/catalog";
import { chat, createUser, drained, usageRows } from "../helpers/gateway";
import { parseSse } from "../helpers/sse";

// Recorded Mistral and Moonshot (Kimi) answers (test/fixtures/providers/others/{mistral,moonshot})
// through the OpenAI-compatible provider at their own base URLs, with their wire quirks: Mistral's
// padding field `p`, `tool_calls: null` and tool calls without `type`; Moonshot's usage inside
// choices[0] on the finish chunk and again top-level, and `cached_tokens` in two places.
// Test prices (nUSD per token): input 1000, cached input 500, output 2000.

const CREDITS = 10_000_000_000;

beforeAll(async () => {
  await addTestModels(env, [
    ["fx-mistral-live", "mistral", "fixture:others/mistral/mistral-usage-raw-live"],
    ["fx-mistral-tools", "mistral", "fixture:others/mistral/mistral-tool-call"],
    ["fx-kimi-live", "moonshot", "fixture:others/moonshot/moonshotai-usage-live"],
  ], 8192);
});

interface Figures { prompt: number; cached: number; completion: number; reasoning: number; cost: number }

async function billed(userId: string, rid: string, provider: string, f: Figures, stream: boolean) {
  expect((await drained(userId)).balanceNano).toBe(CREDITS - f.cost);
  const rows = await usageRows(userId);
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({
    request_id: rid, provider, status: "success", usage_source: "upstream", stream: stream ? 1 : 0,
    prompt_tokens: f.prompt, cached_tokens: f.cached, completion_tokens: f.completion, reasoning_tokens: f.reasoning, cost_nano: f.cost,
  });
}

type Chunk = { choices: Array<{ delta: { content?: string | null; reasoning_content?: string | null }; finish_reason: string | null }>; usage?: Record<string, unknown> | null };

async function stream(key: string, model: string) {
  const res = await chat(key, { model, stream: true, stream_options: { include_usage: true } });
  expect(res.status).toBe(200);
  const events = parseSse(await res.text());
  expect(events.at(-1)!.data).toBe("[DONE]");
  const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data) as Chunk);
  const usages = chunks.filter((c) => c.usage);
  return {
    rid: res.headers.get("x-request-id")!,
    text: chunks.flatMap((c) => c.choices.map((ch) => ch.delta.content ?? "")).join(""),
    reasoning: chunks.flatMap((c) => c.choices.map((ch) => ch.delta.reasoning_content ?? "")).join(""),
    finishes: chunks.flatMap((c) => c.choices.map((ch) => ch.finish_reason)).filter((f) => f !== null),
    usage: usages.at(-1)?.usage ?? null,
  };
}

describe("recorded Mistral answers (OpenAI-compatible, api.mistral.ai/v1)", () => {
  it("non-streamed mistral-small-latest: text OK, tool_calls null, 19 / 2 → 19 × 1000 + 2 × 2000 = 23,000 nUSD", async () => {
    const { key, userId } = await createUser(formatUsd(CREDITS));
    const res = await chat(key, { model: "fx-mistral-live" });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-gateway-provider")).toBe("mistral");
    const body = (await res.json()) as { choices: Array<{ message: { content: string }; finish_reason: string }>; usage: Record<string, unknown> };
    expect(body.choices[0]).toMatchObject({ message: { role: "assistant", content: "OK" }, finish_reason: "stop" });
    expect(body.usage).toMatchObject({ prompt_tokens: 19, completion_tokens: 2, total_tokens: 21 });
    expect(String(body.usage.cost)).toBe(formatUsd(23_000));
    await billed(userId, res.headers.get("x-request-id")!, "mistral", { prompt: 19, cached: 0, completion: 2, reasoning: 0, cost: 23_000 }, false);
  });

  it("streamed: the padding field `p` is harmless and usage on the finish chunk is billed once: 23,000 nUSD", async () => {
    const { key, userId } = await createUser(formatUsd(CREDITS));
    const s = await stream(key, "fx-mistral-live");
    expect(s.text).toBe("OK");
    expect(s.finishes).toEqual(["stop"]);
    expect(s.usage).toMatchObject({ prompt_tokens: 19, completion_tokens: 2 });
    expect(String(s.usage!.cost)).toBe(formatUsd(23_000));
    await billed(userId, s.rid, "mistral", { prompt: 19, cached: 0, completion: 2, reasoning: 0, cost: 23_000 }, true);
  });

  it("a tool call recorded without `type` reaches the client as a function call; 124 / 22 → 168,000 nUSD", async () => {
    const { key, userId } = await createUser(formatUsd(CREDITS));
    const res = await chat(key, { model: "fx-mistral-tools", tools: [{ type: "function", function: { name: "weather", parameters: { type: "object" } } }] });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { choices: Array<{ message: { tool_calls: Array<Record<string, unknown>> }; finish_reason: string }> };
    expect(body.choices[0]!.finish_reason).toBe("tool_calls");
    expect(body.choices[0]!.message.tool_calls).toEqual([
      expect.objectContaining({ id: "gSIMJiOkT", function: { name: "weather", arguments: '{"location": "San Francisco"}' } }),
    ]);
    await billed(userId, res.headers.get("x-request-id")!, "mistral", { prompt: 124, cached: 0, completion: 22, reasoning: 0, cost: 168_000 }, false);
  });
});

describe("recorded Moonshot / Kimi answers (OpenAI-compatible, api.moonshot.ai/v1)", () => {
  it("non-streamed kimi-k3: reasoning_content kept, all 90 prompt tokens cached: 90 × 500 + 34 × 2000 = 113,000 nUSD", async () => {
    const { key, userId } = await createUser(formatUsd(CREDITS));
    const res = await chat(key, { model: "fx-kimi-live" });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-gateway-provider")).toBe("moonshot");
    const body = (await res.json()) as { choices: Array<{ message: { content: string; reasoning_content: string } }>; usage: Record<string, unknown> };
    expect(body.choices[0]!.message).toMatchObject({ content: "OK", reasoning_content: "We need answer exactly OK. Need final only OK no extra. Ensure exactly OK." });
    expect(body.usage).toMatchObject({ prompt_tokens: 90, completion_tokens: 34, prompt_tokens_details: { cached_tokens: 90 }, completion_tokens_details: { reasoning_tokens: 17 } });
    expect(String(body.usage.cost)).toBe(formatUsd(113_000));
    await billed(userId, res.headers.get("x-request-id")!, "moonshot", { prompt: 90, cached: 90, completion: 34, reasoning: 17, cost: 113_000 }, false);
  });

  it("streamed: usage inside choices[0] and again top-level is counted once: 90 × 500 + 50 × 2000 = 145,000 nUSD", async () => {
    const { key, userId } = await createUser(formatUsd(CREDITS));
    const s = await stream(key, "fx-kimi-live");
    expect(s.text).toBe("OK");
    expect(s.reasoning).toBe('The user is asking me to reply with exactly "OK". This is a simple request with no ambiguity. I should just respond with "OK" and nothing else.');
    expect(s.finishes).toEqual(["stop"]);
    expect(s.usage).toMatchObject({ prompt_tokens: 90, completion_tokens: 50 });
    expect(String(s.usage!.cost)).toBe(formatUsd(145_000));
    await billed(userId, s.rid, "moonshot", { prompt: 90, cached: 90, completion: 50, reasoning: 33, cost: 145_000 }, true);
  });
});
