import { env, runInDurableObject, SELF } from "cloudflare:test";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toUpstreamChat } from "../../src/providers/openai-compatible/chat";
import type { ProviderQuirks } from "../../src/providers/types";
import { chatCompletionSchema, REFUSED_CHAT_FIELDS } from "../../src/wire/chat";
import { account, BASE, createUser, drained, settled, usageRows, type TestUser } from "../helpers/gateway";

// Hostile-input fuzzing of POST /chat/completions and POST /embeddings (OpenAI error shape).
// Every generated input is invalid by construction, so the outcome must be a 4xx in the route's
// error shape with nothing reserved, charged or written — except the one property marked
// "4xx or billed 200", where a fuzzed value may happen to be valid and is then billed normally.

import { rejected, books, type Books, quick, hostile, json, nn, notString, notNumber, notBool, notArray, notObject, longStr, fraction, outside, badMaxTokens } from "./harness";
const runs: Record<string, number> = {};
const tally = (route: string) => { runs[route] = (runs[route] ?? 0) + 1; };
afterAll(() => console.log(`[fuzz] chat-embeddings inputs per route: ${JSON.stringify(runs)}`));

const SEED = 0x5eed_c4a7;
const CREDITS_NANO = 1_000_000_000; // "1.00" USD
const HI = [{ role: "user", content: "Hi" }];
let u: TestUser;
let before: Books;
let knownIds: Set<string>;
beforeAll(async () => {
  u = await createUser("1.00");
  await drained(u.userId);
  before = await books(u.userId);
  expect(before.summary).toMatchObject({ balanceNano: CREDITS_NANO, holdsNano: 0, inFlight: 0, pendingOutbox: 0 });
  const { results } = await env.DB.prepare("SELECT id FROM models UNION SELECT alias FROM model_aliases").all<{ id: string }>();
  knownIds = new Set([...results.map((r) => r.id), "auto"]);
});
/** A model id no catalog entry, alias or "provider/id" form can match. */
const unknownModel = hostile.filter((s) => ![...knownIds].some((id) => s === id || s.endsWith(`/${id}`)));

function post(path: string, body: unknown): Promise<Response> {
  return SELF.fetch(`${BASE}/api/v1${path}`, {
    method: "POST", headers: { authorization: `Bearer ${u.key}`, "content-type": "application/json" }, body: JSON.stringify(body),
  });
}
/** Sets an own enumerable property, even for "__proto__" (plain assignment would set the prototype). */
const setOwn = <T extends object>(o: T, key: string, value: unknown): T => Object.defineProperty(o, key, { value, enumerable: true, configurable: true, writable: true });
const under = (param: string | null | undefined, field: string) => param === field || !!param?.startsWith(`${field}.`) || !!param?.startsWith(`${field}[`);

const ROLES = ["system", "developer", "user", "assistant", "tool"];
const badMessage = fc.oneof(
  notObject,
  fc.record({ role: fc.string().filter((r) => !ROLES.includes(r)), content: fc.string() }),
  fc.record({ role: fc.constantFrom("system", "developer", "user", "tool"), content: json.filter((v) => typeof v !== "string" && !Array.isArray(v)) }),
  fc.record({ role: fc.constant("user"), content: fc.array(fc.record({ type: fc.string().filter((t) => !["text", "image_url", "input_audio", "file"].includes(t)) }), { minLength: 1, maxLength: 3 }) }),
  fc.constant({ role: "tool", content: "x" }),
  fc.constant({ role: "assistant", tool_calls: [{ id: "c", type: "function", function: { name: "", arguments: "{}" } }] }),
);
const badTool = fc.oneof(notObject, fc.record({ type: fc.string().filter((t) => t !== "function"), function: fc.constant({ name: "f" }) }),
  fc.constant({ type: "function", function: { name: "" } }), fc.constant({ type: "function" }));

/** For each chat field, values its schema must refuse (null only where the field is not nullable). */
const CHAT_WRONG: Record<string, fc.Arbitrary<unknown>> = {
  model: fc.oneof(fc.constant(""), longStr(257, 400), notString),
  messages: fc.oneof(notArray, fc.constant([]), fc.array(badMessage, { minLength: 1, maxLength: 3 })),
  stream: nn(notBool),
  stream_options: fc.oneof(nn(notObject), fc.record({ include_usage: notBool })),
  max_tokens: badMaxTokens,
  max_completion_tokens: badMaxTokens,
  temperature: outside(0, 2),
  top_p: outside(0, 1),
  n: fc.oneof(fc.integer({ min: 2, max: 1e6 }), fc.integer({ min: -1e6, max: 0 }), nn(notNumber)),
  stop: fc.oneof(longStr(1025, 1100), fc.array(fc.string(), { minLength: 5, maxLength: 20 }), fc.array(notString, { minLength: 1, maxLength: 3 }),
    nn(json.filter((v) => typeof v !== "string" && !Array.isArray(v)))),
  presence_penalty: outside(-2, 2),
  frequency_penalty: outside(-2, 2),
  logit_bias: fc.oneof(nn(notObject), fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(outside(-100, 100)), { minKeys: 1, maxKeys: 3 })),
  logprobs: nn(notBool),
  top_logprobs: fc.oneof(fc.integer({ min: 21, max: 1e6 }), fc.integer({ min: -1e6, max: -1 }), fraction, nn(notNumber)),
  seed: fc.oneof(fraction, nn(notNumber)),
  user: fc.oneof(longStr(257, 300), notString),
  tools: fc.oneof(notArray, fc.array(badTool, { minLength: 1, maxLength: 3 })),
  tool_choice: fc.oneof(fc.string().filter((s) => !["none", "auto", "required"].includes(s)), fc.constant({ type: "function", function: { name: "" } }),
    json.filter((v) => typeof v !== "string" && (typeof v !== "object" || v === null || Array.isArray(v)))),
  parallel_tool_calls: notBool,
  response_format: fc.oneof(notObject, fc.record({ type: fc.string().filter((t) => !["text", "json_object", "json_schema"].includes(t)) }), fc.constant({ type: "json_schema" })),
  reasoning_effort: fc.oneof(fc.string().filter((s) => !["none", "minimal", "low", "medium", "high", "xhigh"].includes(s)), nn(notString)),
  modalities: fc.oneof(notArray, fc.array(fc.string().filter((s) => s !== "text"), { minLength: 1, maxLength: 3 })),
  metadata: fc.oneof(notObject, fc.dictionary(fc.string({ maxLength: 10 }), notString, { minKeys: 1, maxKeys: 3 }), fc.constant({ ["k".repeat(65)]: "v" })),
  store: nn(notBool),
  service_tier: fc.oneof(longStr(33, 60), nn(notString)),
  models: fc.oneof(notArray, fc.constant([]), fc.constant([""]), fc.integer({ min: 11, max: 40 }).map((n) => Array(n).fill("test-echo")), fc.array(notString, { minLength: 1, maxLength: 3 })),
  provider: fc.oneof(notObject, fc.record({ order: nn(notArray) }), fc.constant({ only: ["OpenAI"] }), fc.record({ allow_fallbacks: notBool }),
    fc.record({ max_price: fc.record({ prompt: fc.constantFrom<unknown>(-1, 100_001, "1e3", "abc", true, null) }) })),
};

describe("fuzz POST /chat/completions: invalid bodies → 400 naming the field, nothing charged", () => {
  it("one schema field set to a wrong type or out-of-range value → 400 whose param is that field", async () => {
    const field = fc.constantFrom(...Object.keys(CHAT_WRONG)).chain((f) => fc.tuple(fc.constant(f), CHAT_WRONG[f]!));
    await fc.assert(fc.asyncProperty(field, fc.boolean(), async ([f, value], stream) => {
      tally("chat/completions");
      const body = { model: "test-echo", messages: HI, ...(f === "stream" ? {} : { stream }), [f]: value };
      const e = await rejected(await post("/chat/completions", body), "openai", JSON.stringify(body));
      expect(e.status).toBe(400);
      expect(["invalid_request", "unknown_parameter"]).toContain(e.code);
      expect(under(e.param, f), `param ${e.param} for ${f}`).toBe(true);
      await quick(u.userId, before);
    }), { seed: SEED, numRuns: 150 });
  });

  // Issue 13 (pass-through policy): a well-formed unknown field is no longer a 400; it is kept by the
  // schema and reaches an OpenAI-format provider verbatim (end to end: test/compat/passthrough.test.ts).
  // Checked without a call here, so that this file's "nothing charged" books stay exact.
  it("an unknown field with a hostile name (top level or in a message) is kept for an OpenAI-format provider", async () => {
    const spots: Record<string, readonly string[]> = {
      top: [...Object.keys(chatCompletionSchema.shape), ...Object.keys(REFUSED_CHAT_FIELDS)], message: ["role", "content", "name"],
    };
    await fc.assert(fc.asyncProperty(fc.constantFrom(...Object.keys(spots)), hostile, json, async (spot, key, value) => {
      fc.pre(!spots[spot]!.includes(key));
      tally("chat/completions (schema)");
      const body: Record<string, unknown> = JSON.parse(JSON.stringify({ model: "test-echo", messages: [{ role: "user", content: "Hi" }] }));
      if (spot === "top") setOwn(body, key, value);
      else setOwn((body.messages as Record<string, unknown>[])[0]!, key, value);
      const wire = JSON.parse(JSON.stringify(body)) as Record<string, unknown>;
      const parsed = chatCompletionSchema.safeParse(wire);
      expect(parsed.success, JSON.stringify(parsed.error?.issues[0])).toBe(true);
      const upstream = JSON.parse(JSON.stringify(toUpstreamChat(parsed.data!, "m", { maxTokensField: "max_tokens" } as ProviderQuirks, null))) as Record<string, unknown>;
      const at = spot === "top" ? upstream : (upstream.messages as Record<string, unknown>[])[0]!;
      expect(Object.hasOwn(at, key), key).toBe(true);
      expect(at[key]).toEqual(JSON.parse(JSON.stringify(value)));
    }), { seed: SEED + 1, numRuns: 100 });
  });

  it("max_tokens / max_completion_tokens negative, zero, fractional or > 10M → 400; in range but unaffordable → 402", async () => {
    const value = fc.oneof(badMaxTokens.map((v) => [v, false] as const), fc.integer({ min: 500_001, max: 10_000_000 }).map((v) => [v, true] as const));
    await fc.assert(fc.asyncProperty(fc.constantFrom("max_tokens", "max_completion_tokens"), value, fc.boolean(), async (f, [v, inRange], stream) => {
      tally("chat/completions");
      const res = await post("/chat/completions", { model: "test-echo", messages: HI, stream, [f]: v });
      const e = await rejected(res, "openai", `${f}=${v}`);
      // In range: the reservation is ≥ 500,001 × 2000 nUSD = 1.000002 USD > the 1.00 USD balance.
      if (inRange) expect(e).toMatchObject({ status: 402, code: "insufficient_credits" });
      else expect(e).toMatchObject({ status: 400, code: "invalid_request", param: f });
      await quick(u.userId, before);
    }), { seed: SEED + 2, numRuns: 100 });
  });

  it("unknown model ids (hostile strings) and unknown fallback `models` → 404 model_not_found (400 when empty or > 256)", async () => {
    const id = fc.tuple(unknownModel, fc.constantFrom(0, 0, 0, 250, 300)).map(([s, pad]) => s + "z".repeat(pad));
    await fc.assert(fc.asyncProperty(id, fc.boolean(), async (m, asFallback) => {
      tally("chat/completions");
      const body = asFallback ? { model: "test-echo", models: [m], messages: HI } : { model: m, messages: HI };
      const param = asFallback ? "models[0]" : "model";
      const e = await rejected(await post("/chat/completions", body), "openai", JSON.stringify(m));
      // zod measures strings in code points (a lone surrogate counts as one)
      if ([...m].length >= 1 && [...m].length <= 256) expect(e).toMatchObject({ status: 404, code: "model_not_found", param });
      else expect(e).toMatchObject({ status: 400, code: "invalid_request", param });
      await quick(u.userId, before);
    }), { seed: SEED + 3, numRuns: 100 });
  });

  it("huge arrays and deep nesting (up to depth 5000) in typed fields → 400 naming the field; in free-form fields → the model check still runs", async () => {
    const deep = (d: number, obj: boolean) => (obj ? '{"a":'.repeat(d) + "1" + "}".repeat(d) : "[".repeat(d) + "]".repeat(d));
    const msg = JSON.stringify(HI[0]);
    const cases = fc.oneof(
      fc.integer({ min: 4097, max: 4400 }).map((n) => [`{"model":"test-echo","messages":[${Array(n).fill(msg).join(",")}]}`, "messages"] as const),
      fc.integer({ min: 513, max: 700 }).map((n) => [JSON.stringify({ model: "test-echo", messages: [{ role: "user", content: Array(n).fill({ type: "text", text: "a" }) }] }), "messages"] as const),
      fc.integer({ min: 513, max: 600 }).map((n) => [JSON.stringify({ model: "test-echo", messages: HI, tools: Array(n).fill({ type: "function", function: { name: "f" } }) }), "tools"] as const),
      fc.integer({ min: 5, max: 2000 }).map((n) => [JSON.stringify({ model: "test-echo", messages: HI, stop: Array(n).fill("s") }), "stop"] as const),
      fc.integer({ min: 11, max: 2000 }).map((n) => [JSON.stringify({ model: "test-echo", messages: HI, models: Array(n).fill("test-echo") }), "models"] as const),
      fc.tuple(fc.integer({ min: 2, max: 5000 }), fc.boolean(), fc.constantFrom("model", "messages", "stop", "metadata", "temperature")).map(([d, obj, f]) =>
        // duplicate keys on purpose: JSON.parse keeps the last one
        [`{"model":"test-echo","messages":${JSON.stringify(HI)},"${f}":${deep(d, obj)}}`, f] as const),
      fc.tuple(fc.integer({ min: 2, max: 5000 }), fc.boolean()).map(([d, obj]) =>
        [`{"model":"test-echo","messages":[{"role":"user","content":${deep(d, obj)}}]}`, "messages"] as const),
      fc.tuple(fc.integer({ min: 2, max: 5000 }), fc.boolean()).map(([d, obj]) =>
        [`{"model":"zz-no-such-model","messages":${JSON.stringify(HI)},"tools":[{"type":"function","function":{"name":"f","parameters":{"p":${deep(d, obj)}}}}]}`, "404"] as const),
    );
    await fc.assert(fc.asyncProperty(cases, async ([text, field]) => {
      tally("chat/completions");
      const res = await SELF.fetch(`${BASE}/api/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${u.key}`, "content-type": "application/json" }, body: text });
      const e = await rejected(res, "openai", text.slice(0, 200));
      if (field === "404") expect(e).toMatchObject({ status: 404, code: "model_not_found", param: "model" });
      else expect(e.status === 400 && under(e.param, field), `param ${e.param} for ${field}`).toBe(true);
      await quick(u.userId, before);
    }), { seed: SEED + 4, numRuns: 60 });
  });

  it("after all of the above: balance, ledger, keys, DO tables and D1 rows exactly as before (holdsNano 0)", async () => {
    expect(await books(u.userId)).toEqual(before);
    expect(before.d1).toMatchObject({ usage_logs: 0, transactions: 1, all_usage_logs: 0 });
  });
});

const EMB_WRONG: Record<string, fc.Arbitrary<unknown>> = {
  model: fc.oneof(fc.constant(""), longStr(257, 300), notString, unknownModel),
  input: fc.oneof(
    fc.constant(""), fc.constant([]), json.filter((v) => typeof v !== "string" && !Array.isArray(v)),
    fc.array(fc.integer({ max: -1 }), { minLength: 1, maxLength: 5 }), fc.array(fraction, { minLength: 1, maxLength: 3 }),
    fc.array(fc.array(fc.integer({ max: -1 }), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }),
    fc.array(json.filter((v) => typeof v !== "string" && typeof v !== "number" && !Array.isArray(v)), { minLength: 1, maxLength: 3 }),
    fc.tuple(fc.string(), fc.integer({ min: 0 })), fc.integer({ min: 2049, max: 2300 }).map((n) => Array(n).fill("x")),
  ),
  encoding_format: fc.oneof(fc.string().filter((s) => s !== "float" && s !== "base64"), notString),
  dimensions: fc.oneof(fc.integer({ min: -1e6, max: 0 }), fc.integer({ min: 65_537, max: 1e9 }), fraction, notNumber),
  user: fc.oneof(longStr(257, 300), notString),
};

describe("fuzz POST /embeddings: invalid bodies → 4xx, nothing charged", () => {
  // Issue 13: unknown fields are passed through (test/compat/passthrough.test.ts), so only wrong values are fuzzed here.
  it("a wrong type, range or size in one field → 400/404 naming it", async () => {
    const wrong = fc.oneof(
      fc.constantFrom(...Object.keys(EMB_WRONG)).chain((f) => fc.tuple(fc.constant(f), EMB_WRONG[f]!)),
    );
    await fc.assert(fc.asyncProperty(wrong, async ([f, value]) => {
      tally("embeddings");
      const body = { model: "test-embed", input: "hello", [f]: value };
      const e = await rejected(await post("/embeddings", body), "openai", JSON.stringify(body).slice(0, 300));
      if (e.status === 404) expect(e).toMatchObject({ code: "model_not_found", param: "model" });
      else expect(e.status === 400 && under(e.param, f), `param ${e.param} for ${f}`).toBe(true);
      await quick(u.userId, before);
    }), { seed: SEED + 5, numRuns: 120 });
    expect(await books(u.userId)).toEqual(before);
  });
});
