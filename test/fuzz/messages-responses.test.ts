import { env, runInDurableObject, SELF } from "cloudflare:test";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { messagesRequestSchema, REFUSED_MESSAGES_FIELDS } from "../../src/surfaces/anthropic/schema";
import { account, BASE, createUser, drained, settled, type TestUser } from "../helpers/gateway";

// Hostile-input fuzzing of POST /messages (Anthropic error shape {type:"error",error:{type,message}})
// and POST /responses (OpenAI shape). Every generated input is invalid by construction: the outcome
// must be a 4xx in the route's shape with nothing reserved, charged or written.

import { rejected, books, type Books, quick, hostile, json, nn, notString, notNumber, notBool, notArray, notObject, longStr, fraction, outside, badMaxTokens } from "./harness";
const runs: Record<string, number> = {};
const tally = (route: string) => { runs[route] = (runs[route] ?? 0) + 1; };
afterAll(() => console.log(`[fuzz] messages-responses inputs per route: ${JSON.stringify(runs)}`));

const SEED = 0x5eed_a171;
const CREDITS_NANO = 1_000_000_000; // "1.00" USD
const HI = [{ role: "user", content: "Hi" }];
const ABSENT = Symbol("absent");
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
const unknownModel = hostile.filter((s) => ![...knownIds].some((id) => s === id || s.endsWith(`/${id}`)));
const codePoints = (s: string) => [...s].length;
const setOwn = <T extends object>(o: T, key: string, value: unknown): T => Object.defineProperty(o, key, { value, enumerable: true, configurable: true, writable: true });
const under = (param: string | null | undefined, field: string) => param === field || !!param?.startsWith(`${field}.`) || !!param?.startsWith(`${field}[`);

function post(path: string, body: unknown): Promise<Response> {
  return SELF.fetch(`${BASE}/api/v1${path}`, {
    method: "POST", headers: { "x-api-key": u.key, "anthropic-version": "2023-06-01", "content-type": "application/json" }, body: JSON.stringify(body),
  });
}
/** The body with one field replaced (or removed, for ABSENT). */
function withField(base: Record<string, unknown>, f: string, v: unknown): Record<string, unknown> {
  const body = { ...base };
  if (v === ABSENT) delete body[f];
  else setOwn(body, f, v);
  return body;
}

const notStringOrArray = json.filter((v) => typeof v !== "string" && !Array.isArray(v));
const USER_BLOCKS = ["text", "image", "document", "tool_result"];
const badMessage = fc.oneof(
  notObject,
  fc.record({ role: fc.string().filter((r) => r !== "user" && r !== "assistant" && r !== "system"), content: fc.string() }),
  fc.record({ role: fc.constantFrom("user", "assistant"), content: notStringOrArray }),
  fc.record({ role: fc.constant("user"), content: fc.array(fc.record({ type: fc.string().filter((t) => !USER_BLOCKS.includes(t)) }), { minLength: 1, maxLength: 3 }) }),
  fc.constantFrom<unknown>(
    { role: "assistant", content: [{ type: "tool_result", tool_use_id: "t" }] },
    { role: "user", content: [{ type: "image", source: { type: "file", file_id: "f" } }] },
    { role: "user", content: [{ type: "image", source: { type: "url", url: "ftp://x" } }] },
    { role: "user", content: [{ type: "image", source: { type: "base64", media_type: "image/bmp", data: "AA==" } }] },
    { role: "user", content: [{ type: "document", source: { type: "base64", media_type: "application/msword", data: "AA==" } }] },
    { role: "assistant", content: [{ type: "tool_use", id: "t", name: "f", input: "x" }] },
    { role: "user", content: [{ type: "text" }] },
    { role: "user", content: [{ type: "server_tool_use", id: "s", name: "web_search", input: {} }] },
  ),
);
const badTool = fc.oneof(
  notObject,
  fc.record({ type: fc.string().filter((t) => t !== "custom"), name: fc.constant("f"), input_schema: fc.constant({}) }),
  fc.constantFrom<unknown>({ name: "f" }, { name: "", input_schema: {} }, { name: "f", input_schema: "x" }, { name: "f", input_schema: {}, strict: "yes" }),
);
const notIn = (xs: readonly string[]) => fc.string().filter((s) => !xs.includes(s));

/** For each Messages field, values its schema must refuse (null only where the field is not nullable). */
const MSG_WRONG: Record<string, fc.Arbitrary<unknown>> = {
  model: fc.oneof(fc.constant(ABSENT), fc.constant(""), longStr(257, 400), notString),
  max_tokens: fc.oneof(fc.constant(ABSENT), fc.constant(null), badMaxTokens),
  messages: fc.oneof(fc.constant(ABSENT), notArray, fc.constant([]), fc.array(badMessage, { minLength: 1, maxLength: 3 })),
  system: fc.oneof(notStringOrArray, fc.array(fc.oneof(notObject, fc.record({ type: notIn(["text"]), text: fc.string() })), { minLength: 1, maxLength: 3 })),
  tools: fc.oneof(notArray, fc.array(badTool, { minLength: 1, maxLength: 3 })),
  tool_choice: fc.oneof(notObject, fc.record({ type: notIn(["auto", "any", "tool", "none"]) }), fc.constantFrom<unknown>({ type: "tool" }, { type: "auto", disable_parallel_tool_use: "no" })),
  temperature: outside(0, 1),
  top_p: outside(0, 1),
  top_k: fc.oneof(fc.integer({ min: -1e9, max: -1 }), fraction, notNumber),
  stop_sequences: fc.oneof(notArray, fc.constant([""]), fc.array(notString, { minLength: 1, maxLength: 3 }), fc.integer({ min: 257, max: 400 }).map((n) => Array(n).fill("s")), fc.constant(["x".repeat(1025)])),
  stream: notBool,
  metadata: fc.oneof(notObject, fc.record({ user_id: nn(notString) }), fc.constant({ user_id: "x".repeat(257) })),
  thinking: fc.oneof(notObject, fc.record({ type: notIn(["enabled", "disabled", "adaptive"]) }), fc.constant({ type: "enabled" }),
    fc.record({ type: fc.constant("enabled"), budget_tokens: fc.oneof(fc.integer({ min: -1e9, max: 1023 }), fc.integer({ min: 10_000_001, max: 1e12 }), fraction, notNumber) })),
  output_config: fc.oneof(notObject, fc.record({ effort: nn(notIn(["low", "medium", "high", "xhigh", "max"])) }), fc.constant({ format: { type: "json_object" } })),
  service_tier: fc.oneof(notIn(["auto", "standard_only"]), notString),
  cache_control: fc.oneof(nn(notObject), fc.record({ type: notIn(["ephemeral"]) }), fc.constant({ type: "ephemeral", ttl: "2h" })),
  speed: fc.oneof(notIn(["standard", "fast"]), nn(notString)),
  diagnostics: fc.oneof(nn(notObject), fc.record({ previous_message_id: nn(notString) })),
};

describe("fuzz POST /messages: invalid bodies → 400 in Anthropic's error shape, nothing charged", () => {
  const BASE_BODY = { model: "test-echo", max_tokens: 16, messages: HI };

  it("one field missing, of a wrong type or out of range → 400 invalid_request_error naming the field", async () => {
    const field = fc.constantFrom(...Object.keys(MSG_WRONG)).chain((f) => fc.tuple(fc.constant(f), MSG_WRONG[f]!));
    await fc.assert(fc.asyncProperty(field, async ([f, v]) => {
      tally("messages");
      const body = withField(BASE_BODY, f, v);
      const e = await rejected(await post("/messages", body), "anthropic", `${f}: ${JSON.stringify(v === ABSENT ? "(absent)" : v)}`);
      expect(e.status).toBe(400);
      expect(e.message, `message for ${f}`).toContain(f);
      await quick(u.userId, before);
    }), { seed: SEED, numRuns: 150 });
  });

  // Issue 13 (pass-through policy): a well-formed unknown field is kept for Claude instead of a 400
  // (end to end: test/compat/passthrough.test.ts). Checked without a call, so the books stay exact.
  it("an unknown field with a hostile name (top level, in a message, block, tool, metadata, thinking) is kept for Claude", async () => {
    const spots: Record<string, [(k: string, v: unknown) => Record<string, unknown>, readonly string[]]> = {
      top: [(k, v) => setOwn({ ...BASE_BODY }, k, v), [...Object.keys(messagesRequestSchema.shape), ...Object.keys(REFUSED_MESSAGES_FIELDS)]],
      message: [(k, v) => ({ ...BASE_BODY, messages: [setOwn({ role: "user", content: "Hi" }, k, v)] }), ["role", "content"]],
      block: [(k, v) => ({ ...BASE_BODY, messages: [{ role: "user", content: [setOwn({ type: "text", text: "Hi" }, k, v)] }] }), ["type", "text", "cache_control", "citations"]],
      tool: [(k, v) => ({ ...BASE_BODY, tools: [setOwn({ name: "f", input_schema: {} }, k, v)] }),
        ["type", "name", "description", "input_schema", "cache_control", "strict", "eager_input_streaming", "defer_loading"]],
      metadata: [(k, v) => ({ ...BASE_BODY, metadata: setOwn({}, k, v) }), ["user_id"]],
      thinking: [(k, v) => ({ ...BASE_BODY, thinking: setOwn({ type: "disabled" }, k, v) }), ["type"]],
      tool_choice: [(k, v) => ({ ...BASE_BODY, tool_choice: setOwn({ type: "auto" }, k, v) }), ["type", "disable_parallel_tool_use"]],
    };
    await fc.assert(fc.asyncProperty(fc.constantFrom(...Object.keys(spots)), hostile, json, async (spot, key, value) => {
      const [build, known] = spots[spot]!;
      fc.pre(!known.includes(key));
      tally("messages");
      const parsed = messagesRequestSchema.safeParse(JSON.parse(JSON.stringify(build(key, value))));
      expect(parsed.success, JSON.stringify(parsed.error?.issues[0])).toBe(true);
      expect(JSON.stringify(parsed.data)).toContain(JSON.stringify(key));
    }), { seed: SEED + 1, numRuns: 100 });
  });

  it("unknown models → 404 (400 when empty or > 256 code points); max_tokens in range but unaffordable → 402", async () => {
    const id = fc.tuple(unknownModel, fc.constantFrom(0, 0, 0, 250, 300)).map(([s, pad]) => s + "z".repeat(pad));
    const cases = fc.oneof(id.map((m) => ({ model: m as string | null, max: 16 })), fc.integer({ min: 500_001, max: 10_000_000 }).map((max) => ({ model: null, max })));
    await fc.assert(fc.asyncProperty(cases, fc.boolean(), async ({ model, max }, stream) => {
      tally("messages");
      const res = await post("/messages", { model: model ?? "test-echo", max_tokens: max, messages: HI, stream });
      const e = await rejected(res, "anthropic", `${JSON.stringify(model)} ${max}`);
      if (model === null) expect(e.status).toBe(402); // ≥ 500,001 × 2000 nUSD > the 1.00 USD balance
      else if (codePoints(model) >= 1 && codePoints(model) <= 256) expect(e).toMatchObject({ status: 404, message: expect.stringContaining("does not exist") });
      else expect(e).toMatchObject({ status: 400, message: expect.stringContaining("'model'") });
      await quick(u.userId, before);
    }), { seed: SEED + 2, numRuns: 100 });
  });
});

const RESP_WRONG: Record<string, fc.Arbitrary<unknown>> = {
  model: fc.oneof(fc.constant(ABSENT), fc.constant(""), longStr(257, 400), notString),
  input: fc.oneof(notStringOrArray, fc.integer({ min: 4097, max: 4300 }).map((n) => Array(n).fill(1))),
  instructions: nn(notString),
  stream: nn(notBool),
  max_output_tokens: badMaxTokens,
  tools: fc.oneof(notArray, fc.integer({ min: 513, max: 600 }).map((n) => Array(n).fill({}))),
};

describe("fuzz POST /responses: invalid bodies → 4xx in OpenAI's error shape, nothing charged", () => {
  it("one checked field missing, of a wrong type, size or range → 400 whose param is the field", async () => {
    const field = fc.constantFrom(...Object.keys(RESP_WRONG)).chain((f) => fc.tuple(fc.constant(f), RESP_WRONG[f]!));
    await fc.assert(fc.asyncProperty(field, async ([f, v]) => {
      tally("responses");
      const body = withField({ model: "test-echo", input: "Hi" }, f, v);
      const e = await rejected(await post("/responses", body), "openai", `${f}: ${JSON.stringify(v === ABSENT ? "(absent)" : v)?.slice(0, 200)}`);
      expect(e).toMatchObject({ status: 400, code: "invalid_request" });
      expect(under(e.param, f), `param ${e.param} for ${f}`).toBe(true);
      await quick(u.userId, before);
    }), { seed: SEED + 3, numRuns: 120 });
  });

  it("unknown models → 404 model_not_found (400 when empty or too long); max_output_tokens in range but unaffordable → 402", async () => {
    const id = fc.tuple(unknownModel, fc.constantFrom(0, 0, 0, 250, 300)).map(([s, pad]) => s + "z".repeat(pad));
    const cases = fc.oneof(id.map((m) => ({ model: m as string | null, max: null as number | null })), fc.integer({ min: 500_001, max: 10_000_000 }).map((max) => ({ model: null, max })));
    await fc.assert(fc.asyncProperty(cases, hostile, async ({ model, max }, junk) => {
      tally("responses");
      // an unknown extra field (passed through by design) does not change the outcome
      const body = setOwn({ model: model ?? "test-echo", input: [{ role: "user", content: junk }], max_output_tokens: max }, `x_${junk}`, junk);
      const e = await rejected(await post("/responses", body), "openai", JSON.stringify(body));
      if (model === null) expect(e).toMatchObject({ status: 402, code: "insufficient_credits" });
      else if (codePoints(model) >= 1 && codePoints(model) <= 256) expect(e).toMatchObject({ status: 404, code: "model_not_found", param: "model" });
      else expect(e).toMatchObject({ status: 400, code: "invalid_request", param: "model" });
      await quick(u.userId, before);
    }), { seed: SEED + 4, numRuns: 80 });
  });

  it("after /messages and /responses fuzzing: balance, ledger, keys, DO tables and D1 rows exactly as before", async () => {
    expect(await books(u.userId)).toEqual(before);
    expect(before.d1).toMatchObject({ usage_logs: 0, transactions: 1 });
  });
});
