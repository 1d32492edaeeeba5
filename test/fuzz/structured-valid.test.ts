import { env, runInDurableObject, SELF } from "cloudflare:test";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { IMAGE_MEDIA_TYPES } from "../../src/surfaces/anthropic/schema";
import { account, BASE, createUser, drained, settled, usageRows, type TestUser } from "../helpers/gateway";

// Schema-VALID fuzzed requests: random but well-formed chat and Anthropic Messages bodies (all
// content part / block types, tool calls and results, tools, tool_choice, response formats,
// reasoning settings, stop lists, streaming, fallbacks, provider preferences) sent to the echo model
// of each translation (OpenAI format test-echo, Anthropic test-claude-echo, Gemini test-gemini-echo)
// or to model "auto" (the router classifies the hostile text), and valid embeddings.
// A request may be one a provider translation cannot express, so the outcome asserted is
// "a 4xx in the route's shape, or a 200 billed exactly once" — never a 5xx, never a stray charge.

import { type Shape, rejected, hostile, json } from "./harness";
const runs: Record<string, number> = {};
const tally = (route: string) => { runs[route] = (runs[route] ?? 0) + 1; };
afterAll(() => console.log(`[fuzz] structured-valid inputs per route: ${JSON.stringify(runs)}`));

const SEED = 0x5eed_57a1;
const START_NANO = 10_000_000_000; // "10.00" USD
const MODELS = ["test-echo", "test-claude-echo", "test-gemini-echo"] as const;

function post(key: string, path: string, body: unknown): Promise<Response> {
  return SELF.fetch(`${BASE}/api/v1${path}`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(body) });
}
/**
 * A 200 (read to the end, streamed or not) → its request id; anything else must be a clean 4xx.
 * A violation (5xx, wrong shape) is collected rather than thrown, so one known bug does not stop
 * the run from finding others; billedExactly reports them all at the end.
 */
type Violation = { status: number; example: string };
async function served(res: Response, shape: Shape, what: string, violations: Violation[]): Promise<string | null> {
  if (res.status !== 200) {
    const status = res.status;
    try {
      await rejected(res, shape, what, true);
    } catch (err) {
      violations.push({ status, example: (err as Error).message.slice(0, 400) });
    }
    return null;
  }
  const body = await res.text();
  expect(body.length, what).toBeGreaterThan(0);
  expect(body, what).not.toMatch(/upstream-internal/);
  return res.headers.get("x-request-id");
}
/** One usage row per 200 and none otherwise; each cost = tokens × test prices; the balance down by the sum; no hold left. */
async function billedExactly(u: TestUser, okIds: string[], violations: Violation[] = []) {
  const s = await drained(u.userId);
  const rows = await usageRows(u.userId);
  const success = rows.filter((r) => r.status === "success");
  expect(success.map((r) => r.request_id).sort()).toEqual([...okIds].sort());
  let total = 0;
  for (const r of success) {
    const [p, c, o] = [r.prompt_tokens as number, r.cached_tokens as number, r.completion_tokens as number];
    expect(r).toMatchObject({ status: "success", http_status: 200 });
    // Test models: tokens × test prices. A real model picked by "auto" may have cache-write tokens,
    // which usage_logs does not keep, so there only the ledger and balance checks below apply.
    // A capped charge (usage_source "clamped": recorded usage above the request's max charge) is below the cost.
    if (String(r.model).startsWith("test-") && r.usage_source === "clamped") expect(r.cost_nano as number).toBeLessThanOrEqual((p - c) * 1000 + c * 500 + o * 2000);
    else if (String(r.model).startsWith("test-")) expect(r.cost_nano).toBe((p - c) * 1000 + c * 500 + o * 2000);
    else expect(r.cost_nano).toBeGreaterThanOrEqual(0);
    total += r.cost_nano as number;
  }
  expect(s).toMatchObject({ balanceNano: START_NANO - total, usageNano: total, holdsNano: 0, inFlight: 0, pendingOutbox: 0 });
  const ledger = (await account(u.userId).ledger(1000)).filter((e) => e.kind === "usage");
  expect(ledger.map((e) => [e.ref, -e.amountNano]).sort()).toEqual(rows.filter((r) => (r.cost_nano as number) > 0).map((r) => [r.request_id, r.cost_nano]).sort());
  // After the money: every non-200 was a clean 4xx (violations grouped by status, one example each)…
  const byStatus = Object.entries(Object.groupBy(violations, (v) => String(v.status))).map(([st, vs]) => ({ status: st, count: vs!.length, example: vs![0]!.example }));
  expect(byStatus, "answers that were not a 200 or a clean 4xx").toEqual([]);
  // …and, checked last, a 4xx answer left no usage row behind.
  const stray = rows.filter((r) => r.status !== "success").map((r) => ({ model: r.model, status: r.status, http_status: r.http_status, error_code: r.error_code, attempts: r.attempts }));
  expect(stray, "usage rows written for requests answered with a 4xx").toEqual([]);
  return total;
}
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
/** Drops undefined members so optional fields are really absent. */
const compact = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
const plain = fc.oneof(fc.string({ maxLength: 40 }), hostile);
const name = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_-]{0,20}$/);
const b64 = fc.base64String({ minLength: 4, maxLength: 40 }).filter((s) => s.length > 0);
const schema = fc.oneof(fc.constant({}), fc.constant({ type: "object", properties: { q: { type: "string" } }, required: ["q"] }), fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }));
const url = fc.oneof(fc.webUrl(), fc.constantFrom("gs://bucket/o.png", "https://example.test/a.pdf", "ftp://x/y.png", "not a url", "data:image/png;base64,iVBORw0KGgo=",
  "data:image/svg+xml;base64,PHN2Zz4=", "data:;base64,AAAA", "data:image/png,raw", "data:image/png;base64", "https://example.test/x.heic?y=1#z"));

// ── chat/completions ──
const chatPart = fc.oneof(
  fc.record({ type: fc.constant("text"), text: plain }),
  fc.record({ type: fc.constant("image_url"), image_url: fc.record({ url, detail: fc.constantFrom("auto", "low", "high") }, { requiredKeys: ["url"] }) }),
  fc.record({ type: fc.constant("input_audio"), input_audio: fc.record({ data: b64, format: fc.constantFrom("wav", "mp3") }) }),
  fc.record({ type: fc.constant("file"), file: fc.oneof(fc.record({ file_data: url }), fc.record({ file_id: fc.constant("file-abc") }), fc.record({ filename: fc.constantFrom("a.pdf", "b.txt", "c"), file_data: b64 }), fc.constant({})) }),
);
const content = fc.oneof(plain, fc.array(chatPart, { maxLength: 4 }));
const toolCall = fc.record({ id: fc.string({ maxLength: 12 }), type: fc.constant("function"), function: fc.record({ name, arguments: fc.oneof(fc.constantFrom("{}", "", "[]", "not json", '{"q":"x"}', "null"), fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v))) }) });
const chatMessage = fc.oneof(
  fc.record({ role: fc.constantFrom("system", "developer"), content, name: opt(name) }).map(compact),
  fc.record({ role: fc.constant("user"), content, name: opt(name) }).map(compact),
  { weight: 2, arbitrary: fc.record({ role: fc.constant("assistant"), content: opt(fc.option(content)), tool_calls: opt(fc.array(toolCall, { minLength: 1, maxLength: 2 })), refusal: opt(fc.option(plain)), reasoning_content: opt(fc.option(plain)) }).map(compact) },
  fc.record({ role: fc.constant("tool"), content, tool_call_id: fc.string({ maxLength: 12 }) }),
);
const providerName = fc.constantFrom("openai", "anthropic", "google", "deepseek", "together", "demo");
const maxPrice = fc.oneof(fc.double({ min: 0, max: 100, noNaN: true }), fc.constantFrom("0", "0.5", "2.50", "100"));
const chatBody = fc.record({
  model: fc.constantFrom(...MODELS, "auto"),
  models: opt(fc.array(fc.constantFrom(...MODELS), { minLength: 1, maxLength: 3 })),
  provider: opt(fc.record({ order: opt(fc.array(providerName, { maxLength: 3 })), allow_fallbacks: opt(fc.boolean()), only: opt(fc.array(providerName, { maxLength: 3 })),
    ignore: opt(fc.array(providerName, { maxLength: 2 })), max_price: opt(fc.record({ prompt: opt(maxPrice), completion: opt(maxPrice) }).map(compact)) }).map(compact)),
  messages: fc.array(chatMessage, { minLength: 1, maxLength: 5 }),
  stream: opt(fc.boolean()), stream_options: opt(fc.record({ include_usage: fc.boolean() })),
  max_tokens: opt(fc.integer({ min: 1, max: 2000 })), max_completion_tokens: opt(fc.integer({ min: 1, max: 2000 })),
  temperature: opt(fc.double({ min: 0, max: 2, noNaN: true })), top_p: opt(fc.double({ min: 0, max: 1, noNaN: true })),
  stop: opt(fc.oneof(fc.string({ maxLength: 8 }), fc.array(fc.string({ maxLength: 8 }), { maxLength: 4 }))),
  presence_penalty: opt(fc.double({ min: -2, max: 2, noNaN: true })), frequency_penalty: opt(fc.double({ min: -2, max: 2, noNaN: true })),
  logit_bias: opt(fc.dictionary(fc.stringMatching(/^\d{1,5}$/), fc.integer({ min: -100, max: 100 }), { maxKeys: 2 })),
  logprobs: opt(fc.boolean()), top_logprobs: opt(fc.integer({ min: 0, max: 20 })), seed: opt(fc.integer()), user: opt(fc.string({ maxLength: 20 })),
  tools: opt(fc.array(fc.record({ type: fc.constant("function"), function: fc.record({ name, description: opt(plain), parameters: opt(schema), strict: opt(fc.boolean()) }).map(compact) }), { maxLength: 3 })),
  tool_choice: opt(fc.oneof(fc.constantFrom("none", "auto", "required"), name.map((n) => ({ type: "function", function: { name: n } })))),
  parallel_tool_calls: opt(fc.boolean()),
  response_format: opt(fc.oneof(fc.constant({ type: "text" }), fc.constant({ type: "json_object" }), fc.record({ type: fc.constant("json_schema"), json_schema: fc.record({ name, schema: opt(schema), strict: opt(fc.boolean()) }).map(compact) }))),
  reasoning_effort: opt(fc.constantFrom("minimal", "low", "medium", "high")), modalities: opt(fc.constant(["text"])),
  metadata: opt(fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 2 })), store: opt(fc.boolean()), service_tier: opt(fc.constantFrom("auto", "default", "flex")),
}, { requiredKeys: ["model", "messages"] }).map(compact);

// ── messages ──
const cache = opt(fc.record({ type: fc.constant("ephemeral"), ttl: opt(fc.constantFrom("5m", "1h")) }).map(compact));
const textBlock = fc.record({ type: fc.constant("text"), text: plain, cache_control: cache }).map(compact);
const imageBlock = fc.record({ type: fc.constant("image"), source: fc.oneof(fc.record({ type: fc.constant("base64"), media_type: fc.constantFrom(...IMAGE_MEDIA_TYPES), data: b64 }), fc.webUrl().map((u) => ({ type: "url", url: u }))) });
const documentBlock = fc.record({ type: fc.constant("document"), source: fc.oneof(fc.record({ type: fc.constant("base64"), media_type: fc.constant("application/pdf"), data: b64 }), fc.record({ type: fc.constant("text"), media_type: fc.constant("text/plain"), data: plain })), title: opt(fc.option(fc.string({ maxLength: 10 }))) }).map(compact);
const toolId = fc.constantFrom("toolu_1", "toolu_2", "call_x");
const toolResult = fc.record({ type: fc.constant("tool_result"), tool_use_id: toolId, content: opt(fc.oneof(plain, fc.array(fc.oneof(textBlock, imageBlock, documentBlock), { maxLength: 2 }))), is_error: opt(fc.boolean()) }).map(compact);
const userBlocks = fc.oneof(plain, fc.array(fc.oneof(textBlock, imageBlock, documentBlock, toolResult), { minLength: 1, maxLength: 3 }));
const assistantBlocks = fc.oneof(plain, fc.array(fc.oneof(textBlock,
  fc.record({ type: fc.constant("tool_use"), id: toolId, name, input: fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }) }),
  fc.record({ type: fc.constant("thinking"), thinking: plain, signature: fc.string({ maxLength: 10 }) }), fc.record({ type: fc.constant("redacted_thinking"), data: fc.string({ maxLength: 10 }) })), { minLength: 1, maxLength: 3 }));
const anthropicMessage = fc.oneof(fc.record({ role: fc.constant("user"), content: userBlocks }), fc.record({ role: fc.constant("assistant"), content: assistantBlocks }));
const messagesBody = fc.record({
  model: fc.constantFrom(...MODELS), max_tokens: fc.integer({ min: 1, max: 2000 }),
  messages: fc.array(anthropicMessage, { minLength: 1, maxLength: 5 }),
  system: opt(fc.oneof(plain, fc.array(textBlock, { maxLength: 2 }))),
  tools: opt(fc.array(fc.record({ name, description: opt(plain), input_schema: schema, strict: opt(fc.boolean()), cache_control: cache }).map(compact), { maxLength: 3 })),
  tool_choice: opt(fc.oneof(fc.record({ type: fc.constantFrom("auto", "any"), disable_parallel_tool_use: opt(fc.boolean()) }).map(compact), fc.record({ type: fc.constant("tool"), name }), fc.constant({ type: "none" }))),
  temperature: opt(fc.double({ min: 0, max: 1, noNaN: true })), top_p: opt(fc.double({ min: 0, max: 1, noNaN: true })), top_k: opt(fc.integer({ min: 0, max: 500 })),
  stop_sequences: opt(fc.array(fc.string({ minLength: 1, maxLength: 8 }), { maxLength: 6 })), stream: opt(fc.boolean()),
  metadata: opt(fc.record({ user_id: opt(fc.option(fc.string({ maxLength: 20 }))) }).map(compact)),
  thinking: opt(fc.oneof(fc.record({ type: fc.constant("enabled"), budget_tokens: fc.integer({ min: 1024, max: 20_000 }) }), fc.constant({ type: "disabled" }), fc.constant({ type: "adaptive" }))),
  output_config: opt(fc.record({ effort: opt(fc.option(fc.constantFrom("low", "medium", "high", "xhigh", "max"))), format: opt(fc.option(fc.record({ type: fc.constant("json_schema"), schema }))) }).map(compact)),
  service_tier: opt(fc.constantFrom("auto", "standard_only")), cache_control: cache, speed: opt(fc.option(fc.constantFrom("standard", "fast"))),
}, { requiredKeys: ["model", "max_tokens", "messages"] }).map(compact);

describe("schema-valid fuzzed requests through each provider translation → 4xx or 200 billed exactly once", () => {
  // Fails today on two gateway bugs (minimal cases in unservable-requests.test.ts): 503 when provider
  // preferences exclude every provider, and usage rows for 400s refused after admission.
  it("POST /chat/completions: every part and message type, tools, formats and sampling options", async () => {
    const u = await createUser("10.00");
    const ok: string[] = [];
    const bad: Violation[] = [];
    await fc.assert(fc.asyncProperty(chatBody, async (body) => {
      tally(`chat/completions ${body.model}`);
      const id = await served(await post(u.key, "/chat/completions", body), "openai", JSON.stringify(body), bad);
      if (id) ok.push(id);
    }), { seed: SEED, numRuns: 150 });
    console.log(`[fuzz] structured chat: ${ok.length}/150 served and billed`);
    await billedExactly(u, ok, bad);
  });

  it("POST /messages: every block type, tool_use/tool_result pairs, thinking and output settings", async () => {
    const u = await createUser("10.00");
    const ok: string[] = [];
    const bad: Violation[] = [];
    await fc.assert(fc.asyncProperty(messagesBody, async (body) => {
      tally(`messages ${body.model}`);
      const id = await served(await post(u.key, "/messages", body), "anthropic", JSON.stringify(body), bad);
      if (id) ok.push(id);
    }), { seed: SEED + 1, numRuns: 150 });
    console.log(`[fuzz] structured messages: ${ok.length}/150 served and billed`);
    await billedExactly(u, ok, bad);
  });

  it("POST /embeddings: strings, token arrays and lists of token arrays (including empty ones)", async () => {
    const u = await createUser("10.00");
    const ok: string[] = [];
    const bad: Violation[] = [];
    const input = fc.oneof(plain.filter((s) => s.length > 0), fc.array(plain, { minLength: 1, maxLength: 5 }), fc.array(fc.nat({ max: 100_000 }), { minLength: 1, maxLength: 20 }),
      fc.array(fc.array(fc.nat({ max: 100_000 }), { maxLength: 5 }), { minLength: 1, maxLength: 4 }));
    const body = fc.record({ model: fc.constant("test-embed"), input, encoding_format: opt(fc.constantFrom("float", "base64")), dimensions: opt(fc.integer({ min: 1, max: 65_536 })), user: opt(fc.string({ maxLength: 10 })) }).map(compact);
    await fc.assert(fc.asyncProperty(body, async (b) => {
      tally("embeddings");
      const id = await served(await post(u.key, "/embeddings", b), "openai", JSON.stringify(b), bad);
      if (id) ok.push(id);
    }), { seed: SEED + 2, numRuns: 40 });
    await billedExactly(u, ok, bad);
  });
});

