import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { formatUsd } from "../../src/lib/money";
import { upstreamReceived } from "../compat/corpus";
import { addTestModels } from "../helpers/catalog";
import { api, chat, createUser, drained, usageRows } from "../helpers/gateway";
import { parseSse } from "../helpers/sse";

// Cohere v2 (src/providers/cohere) with the recorded fixtures of test/fixtures/providers/cohere,
// through /api/v1/chat/completions and /api/v1/messages, streamed and not, with tools, and
// /api/v1/embeddings. Test prices (nUSD per token): input 1000, output 2000. Cohere bills its
// `billed_units`, so those are the billed figures (not `tokens`, which include Cohere's own preamble).

const CREDITS = 10_000_000_000;

beforeAll(async () => {
  await addTestModels(env, [
    ["fx-cohere-text", "cohere", "fixture:cohere/cohere-text"],
    ["fx-cohere-tools", "cohere", "fixture:cohere/cohere-tool-call"],
  ], 8000);
  await env.DB.prepare(
    `INSERT OR REPLACE INTO models (id, name, provider, upstream_model, kind, context_length, max_output_tokens, input_price, output_price, cached_input_price, cache_write_price, capabilities, enabled, price_source, price_updated_at)
     VALUES ('fx-cohere-embed', 'Test embed', 'cohere', 'fixture:cohere/cohere-embedding', 'embedding', 100000, NULL, 1000000, 0, 1000000, NULL, '[]', 1, 'test', '2026-11-01')`,
  ).run();
  const { invalidateCatalog } = await import("../../src/catalog/catalog");
  invalidateCatalog();
});

const TOOLS = [
  { type: "function", function: { name: "weather", description: "Weather in a place", parameters: { type: "object", properties: { location: { type: "string" } }, required: ["location"] } } },
  { type: "function", function: { name: "cityAttractions", parameters: { type: "object", properties: { city: { type: "string" } } } } },
];
const PLAN = "I will use the weather tool to find out the weather in San Francisco. I will also use the cityAttractions tool to find out what attractions are in San Francisco.";
const STREAM_PLAN = "I will use the weather tool to find the weather in San Francisco and the cityAttractions tool to find attractions in San Francisco.";

async function billed(userId: string, rid: string, prompt: number, completion: number, cost: number, stream: boolean) {
  expect((await drained(userId)).balanceNano).toBe(CREDITS - cost);
  const rows = await usageRows(userId);
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({
    request_id: rid, provider: "cohere", status: "success", usage_source: "upstream", stream: stream ? 1 : 0,
    prompt_tokens: prompt, completion_tokens: completion, cached_tokens: 0, cost_nano: cost,
  });
}

describe("Cohere v2 through /api/v1/chat/completions", () => {
  it("non-streamed text: content parts joined, COMPLETE → stop, billed_units 12 / 7 → 12 × 1000 + 7 × 2000 = 26,000 nUSD", async () => {
    const { key, userId } = await createUser(formatUsd(CREDITS));
    const res = await chat(key, { model: "fx-cohere-text", messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Capital of France?" }], top_p: 0.9, stop: "END" });
    const body = (await res.json()) as { choices: Array<{ message: { content: string }; finish_reason: string }>; usage: Record<string, unknown> };
    expect(res.status).toBe(200);
    const rid = res.headers.get("x-request-id")!;
    expect(res.headers.get("x-gateway-provider")).toBe("cohere");
    expect(body.choices[0]).toMatchObject({ message: { role: "assistant", content: "The capital of France is Paris." }, finish_reason: "stop" });
    expect(body.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 });
    expect(String(body.usage.cost)).toBe(formatUsd(26_000));
    await billed(userId, rid, 12, 7, 26_000, false);
    // What Cohere received: v2 messages, p, stop_sequences, the bearer key, no stream flag.
    const sent = (await upstreamReceived("fixture:cohere/cohere-text")).at(-1)!;
    expect(sent.path).toBe("/cohere/v2/chat");
    expect(sent.headers.authorization).toBe("Bearer cohere-upstream-SECRET-0123456789");
    expect(sent.body).toMatchObject({ messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Capital of France?" }], p: 0.9, stop_sequences: ["END"] });
    expect(sent.body.stream).toBeUndefined();
  });

  it("non-streamed tools: tool_plan as content, two tool calls with Cohere's ids, TOOL_CALL → tool_calls; 119 / 52 → 223,000 nUSD", async () => {
    const { key, userId } = await createUser(formatUsd(CREDITS));
    const res = await chat(key, { model: "fx-cohere-tools", messages: [{ role: "user", content: "Weather and sights in SF?" }], tools: TOOLS, tool_choice: "required" });
    const body = (await res.json()) as { choices: Array<{ message: { content: string; tool_calls: unknown[] }; finish_reason: string }>; usage: Record<string, unknown> };
    expect(res.status).toBe(200);
    expect(body.choices[0]!.finish_reason).toBe("tool_calls");
    expect(body.choices[0]!.message.content).toBe(PLAN);
    expect(body.choices[0]!.message.tool_calls).toEqual([
      { id: "weather_dqgshstja6p9", type: "function", function: { name: "weather", arguments: '{"location":"San Francisco"}' } },
      { id: "cityAttractions_dcxfx4myvx68", type: "function", function: { name: "cityAttractions", arguments: '{"city":"San Francisco"}' } },
    ]);
    expect(body.usage).toMatchObject({ prompt_tokens: 119, completion_tokens: 52 });
    await billed(userId, res.headers.get("x-request-id")!, 119, 52, 223_000, false);
    const sent = (await upstreamReceived("fixture:cohere/cohere-tool-call")).at(-1)!;
    expect(sent.body).toMatchObject({ tool_choice: "REQUIRED", tools: [{ type: "function", function: { name: "weather", description: "Weather in a place" } }, { type: "function", function: { name: "cityAttractions" } }] });
  });

  it("streamed text: content deltas relayed, one finish chunk, usage chunk 12 / 7 → 26,000 nUSD", async () => {
    const { key, userId } = await createUser(formatUsd(CREDITS));
    const res = await chat(key, { model: "fx-cohere-text", stream: true, stream_options: { include_usage: true } });
    expect(res.status).toBe(200);
    const events = parseSse(await res.text());
    expect(events.at(-1)!.data).toBe("[DONE]");
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data) as { choices: Array<{ delta: { content?: string }; finish_reason: string | null }>; usage?: Record<string, unknown> | null });
    expect(chunks.flatMap((c) => c.choices.map((ch) => ch.delta.content ?? "")).join("")).toBe("The capital of France is Paris.");
    expect(chunks.flatMap((c) => c.choices.map((ch) => ch.finish_reason)).filter((f) => f !== null)).toEqual(["stop"]);
    const usage = chunks.at(-1)!.usage!;
    expect(usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 7 });
    expect(String(usage.cost)).toBe(formatUsd(26_000));
    await billed(userId, res.headers.get("x-request-id")!, 12, 7, 26_000, true);
  });

  it("streamed tools: plan deltas as content, two calls assembled from tool-call-start/-delta; 119 / 44 → 207,000 nUSD", async () => {
    const { key, userId } = await createUser(formatUsd(CREDITS));
    const res = await chat(key, { model: "fx-cohere-tools", stream: true, stream_options: { include_usage: true }, tools: TOOLS });
    expect(res.status).toBe(200);
    const chunks = parseSse(await res.text()).slice(0, -1).map((e) => JSON.parse(e.data) as {
      choices: Array<{ delta: { content?: string; tool_calls?: Array<{ index: number; id?: string; function: { name?: string; arguments?: string } }> }; finish_reason: string | null }>; usage?: Record<string, unknown> | null;
    });
    const calls: Array<{ id: string; name: string; args: string }> = [];
    let text = "";
    for (const c of chunks) for (const ch of c.choices) {
      text += ch.delta.content ?? "";
      for (const t of ch.delta.tool_calls ?? []) {
        if (t.id) calls[t.index] = { id: t.id, name: t.function.name!, args: "" };
        calls[t.index]!.args += t.function.arguments ?? "";
      }
    }
    expect(text).toBe(STREAM_PLAN);
    expect(calls).toEqual([
      { id: "weather_e8p4pn45zt0t", name: "weather", args: '{"location": "San Francisco"}' },
      { id: "cityAttractions_pyxssbwnq9fq", name: "cityAttractions", args: '{"city": "San Francisco"}' },
    ]);
    expect(chunks.flatMap((c) => c.choices.map((ch) => ch.finish_reason)).filter((f) => f !== null)).toEqual(["tool_calls"]);
    expect(chunks.at(-1)!.usage).toMatchObject({ prompt_tokens: 119, completion_tokens: 44 });
    await billed(userId, res.headers.get("x-request-id")!, 119, 44, 207_000, true);
  });

  it("a Cohere 400 error body becomes OpenAI's error shape (provider text not copied) and nothing is charged", async () => {
    const { key, userId } = await createUser(formatUsd(CREDITS));
    await addTestModels(env, [["fx-cohere-400", "cohere", "error:400"]]);
    const res = await chat(key, { model: "fx-cohere-400" });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { message: string; type: string } };
    expect(body.error).toMatchObject({ type: "invalid_request_error", message: "The provider 'cohere' rejected the request. Nothing was charged." });
    expect((await drained(userId)).balanceNano).toBe(CREDITS);
  });
});

describe("Cohere v2 through /api/v1/messages (Anthropic surface)", () => {
  const post = (key: string, body: Record<string, unknown>) =>
    api("/messages", key, { method: "POST", json: { max_tokens: 1000, messages: [{ role: "user", content: "hi" }], ...body }, headers: { "anthropic-version": "2023-06-01" } });

  it("non-streamed text and tools come back as Anthropic content blocks with the billed usage", async () => {
    const { key, userId } = await createUser(formatUsd(CREDITS));
    const text = await post(key, { model: "fx-cohere-text" });
    expect(text.status, await text.clone().text()).toBe(200);
    expect(await text.json()).toMatchObject({ type: "message", role: "assistant", content: [{ type: "text", text: "The capital of France is Paris." }], stop_reason: "end_turn", usage: { input_tokens: 12, output_tokens: 7 } });
    const tools = await post(key, { model: "fx-cohere-tools", tools: [{ name: "weather", input_schema: { type: "object" } }, { name: "cityAttractions", input_schema: { type: "object" } }] });
    expect(tools.status).toBe(200);
    const body = (await tools.json()) as { content: unknown[]; stop_reason: string; usage: Record<string, number> };
    expect(body.stop_reason).toBe("tool_use");
    expect(body.content).toEqual([
      { type: "text", text: PLAN },
      { type: "tool_use", id: "weather_dqgshstja6p9", name: "weather", input: { location: "San Francisco" } },
      { type: "tool_use", id: "cityAttractions_dcxfx4myvx68", name: "cityAttractions", input: { city: "San Francisco" } },
    ]);
    expect(body.usage).toMatchObject({ input_tokens: 119, output_tokens: 52 });
    expect((await drained(userId)).balanceNano).toBe(CREDITS - 26_000 - 223_000);
  });

  it("streamed: text deltas, tool_use blocks with input_json_delta, message_delta usage; billed 26,000 + 207,000 nUSD", async () => {
    const { key, userId } = await createUser(formatUsd(CREDITS));
    const text = parseSse(await (await post(key, { model: "fx-cohere-text", stream: true })).text());
    const deltas = text.filter((e) => e.event === "content_block_delta").map((e) => (JSON.parse(e.data) as { delta: { text?: string } }).delta.text ?? "");
    expect(deltas.join("")).toBe("The capital of France is Paris.");
    expect(JSON.parse(text.find((e) => e.event === "message_delta")!.data)).toMatchObject({ delta: { stop_reason: "end_turn" }, usage: { output_tokens: 7 } });
    const tools = parseSse(await (await post(key, { model: "fx-cohere-tools", stream: true, tools: [{ name: "weather", input_schema: { type: "object" } }] })).text());
    const starts = tools.filter((e) => e.event === "content_block_start").map((e) => (JSON.parse(e.data) as { content_block: { type: string; name?: string } }).content_block);
    expect(starts.filter((b) => b.type === "tool_use").map((b) => b.name)).toEqual(["weather", "cityAttractions"]);
    expect(JSON.parse(tools.find((e) => e.event === "message_delta")!.data)).toMatchObject({ delta: { stop_reason: "tool_use" }, usage: { output_tokens: 44 } });
    expect((await drained(userId)).balanceNano).toBe(CREDITS - 26_000 - 207_000);
  });
});

describe("Cohere v2 embeddings through /api/v1/embeddings", () => {
  it("sends texts with the input_type Cohere requires (default search_document), returns float vectors, bills billed_units 10 → 10,000 nUSD", async () => {
    const { key, userId } = await createUser(formatUsd(CREDITS));
    const input = ["sunny day at the beach", "rainy day in the city"];
    const res = await api("/embeddings", key, { method: "POST", json: { model: "fx-cohere-embed", input } });
    expect(res.status, await res.clone().text()).toBe(200);
    const body = (await res.json()) as { data: Array<{ index: number; embedding: number[] }>; usage: Record<string, unknown> };
    expect(body.data.map((d) => d.index)).toEqual([0, 1]);
    expect(body.data[0]!.embedding).toEqual([0.03302002, 0.020904541, -0.019744873, -0.0625, 0.04437256]);
    expect(body.usage).toMatchObject({ prompt_tokens: 10, total_tokens: 10 });
    expect(String(body.usage.cost)).toBe(formatUsd(10_000));
    expect((await drained(userId)).balanceNano).toBe(CREDITS - 10_000);
    const sent = (await upstreamReceived("fixture:cohere/cohere-embedding")).at(-1)!;
    expect(sent.path).toBe("/cohere/v2/embed");
    expect(sent.body).toEqual({ model: "fixture:cohere/cohere-embedding", texts: input, input_type: "search_document", embedding_types: ["float"] });

    const query = await api("/embeddings", key, { method: "POST", json: { model: "fx-cohere-embed", input: "beach", input_type: "search_query" } });
    expect(query.status).toBe(200);
    expect((await upstreamReceived("fixture:cohere/cohere-embedding")).at(-1)!.body).toMatchObject({ texts: ["beach"], input_type: "search_query" });
    const bad = await api("/embeddings", key, { method: "POST", json: { model: "fx-cohere-embed", input: "x", input_type: "poetry" } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { param: string } }).error.param).toBe("input_type");
  });
});
