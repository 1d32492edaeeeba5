import { env, runInDurableObject, SELF } from "cloudflare:test";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { chatCompletionSchema } from "../../src/routes/v1/schemas/chat";
import { messagesRequestSchema } from "../../src/surfaces/anthropic/schema";
import { account, admin, BASE, createUser, drained, settled, usageRows, type TestUser } from "../helpers/gateway";

// Fuzzed inputs that CAN be valid. Here validity cannot be excluded (a fuzzed JSON value may
// happen to fit the schema; unknown /responses fields are passed through by design; hostile text in
// a text field is legitimate), so the outcome asserted is "a 4xx in the route's shape, or a 200
// billed exactly once": one usage row per 200 and none for a 4xx, each row's cost equal to its
// tokens × the test prices (input 1000, cached 500, output 2000 nUSD/token), and the balance down
// by exactly the sum. Never a 5xx.

// ── fuzz harness (each test/fuzz file carries its own copy: helpers live only in one's own test file) ──
type Shape = "openai" | "anthropic";
const TYPES: Record<number, readonly string[]> = {
  400: ["invalid_request_error"], 401: ["authentication_error"], 402: ["insufficient_quota"], 403: ["permission_error"],
  404: ["not_found_error", "invalid_request_error"], 409: ["invalid_request_error"], 413: ["request_too_large"], 429: ["rate_limit_error"],
};
interface Rejection { status: number; type: string; message: string; code?: string; param?: string | null }
/** The response must be a 4xx in the route's error shape, with no upstream detail in it. */
async function rejected(res: Response, shape: Shape, what: string): Promise<Rejection> {
  const text = await res.text();
  const ctx = `${what.slice(0, 300)} → ${res.status} ${text.slice(0, 300)}`;
  expect(res.status, ctx).toBeGreaterThanOrEqual(400);
  expect(res.status, ctx).toBeLessThan(500);
  expect(res.headers.get("content-type"), ctx).toMatch(/^application\/json/);
  expect(text, ctx).not.toMatch(/SECRET|sk-upstream|upstream-internal/);
  const body = JSON.parse(text) as { type?: string; error: Record<string, unknown> };
  if (shape === "openai") {
    expect(Object.keys(body), ctx).toEqual(["error"]);
    expect(Object.keys(body.error).sort(), ctx).toEqual(["code", "message", "param", "type"]);
    expect(typeof body.error.code === "string" && body.error.code.length > 0, ctx).toBe(true);
    expect(body.error.param === null || typeof body.error.param === "string", ctx).toBe(true);
  } else {
    expect(Object.keys(body).sort(), ctx).toEqual(["error", "type"]);
    expect(body.type, ctx).toBe("error");
    expect(Object.keys(body.error).sort(), ctx).toEqual(["message", "type"]);
  }
  expect(typeof body.error.message === "string" && (body.error.message as string).length > 0, ctx).toBe(true);
  expect(TYPES[res.status] ?? [], ctx).toContain(body.error.type);
  return { status: res.status, ...(body.error as { type: string; message: string }) };
}
/** Everything a request could charge or write for one user: DO balance, holds, ledger, keys, tables, D1 rows. */
async function books(userId: string) {
  const stub = account(userId);
  await settled(userId);
  const tables = await runInDurableObject(stub, (_o, state) => Object.fromEntries(["requests", "rate_events", "outbox", "ledger", "api_keys"]
    .map((t) => [t, state.storage.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM ${t}`).one().n])));
  const d1 = await env.DB.prepare("SELECT (SELECT count(*) FROM usage_logs WHERE user_id = ?1) AS usage_logs, (SELECT count(*) FROM transactions WHERE user_id = ?1) AS transactions, (SELECT count(*) FROM usage_logs) AS all_usage_logs")
    .bind(userId).first();
  return { summary: await stub.summary(), ledger: await stub.ledger(1000), keys: await stub.listKeys(), tables, d1 };
}
type Books = Awaited<ReturnType<typeof books>>;
/** The cheap check after every input: balance, holds, in-flight count and outbox are as before. */
async function quick(userId: string, before: Books) {
  expect(await account(userId).summary()).toEqual(before.summary);
}
const runs: Record<string, number> = {};
const tally = (route: string) => { runs[route] = (runs[route] ?? 0) + 1; };
afterAll(() => console.log(`[fuzz] valid-or-billed inputs per route: ${JSON.stringify(runs)}`));

const PIECES = ["😀", "👩‍👩‍👧‍👦", "🏳️‍🌈", "\u0000", "\u0007", "\b", "\t", "\n", "\r\n", "\u001b[2J", "\u007f", "\u0085", "\u00a0", "\u200b",
  "\u200d", "\u202e", "\u2028", "\u2029", "\ufeff", "\ufffd", "\uffff", "\ud800", "\udbff", "\udc00", "\udfff", "\udfff\ud800", "%00", "%ff",
  "../", "..\\", "\\u0000", "\"", "'", "`", "<script>", "${x}", "{{x}}", "__proto__", "constructor", "null", "NaN", "ｔｅｓｔ", "İ", "\u0301", "中文", " ", "/", "?", "#", "&"];
/** Strings mixing emoji, control characters, lone surrogates, bidi and zero-width marks. */
const hostile = fc.array(fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...PIECES) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 6 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)) },
), { minLength: 1, maxLength: 12 }).map((a) => a.join(""));
const json = fc.jsonValue({ maxDepth: 3 });
const nn = <T>(a: fc.Arbitrary<T>) => a.filter((v) => v !== null);
const notString = json.filter((v) => typeof v !== "string");
const notNumber = json.filter((v) => typeof v !== "number");
const notBool = json.filter((v) => typeof v !== "boolean");
const notArray = json.filter((v) => !Array.isArray(v));
const notObject = json.filter((v) => v === null || typeof v !== "object" || Array.isArray(v));
const longStr = (min: number, max: number) => fc.integer({ min, max }).map((n) => "x".repeat(n));
const fraction = fc.double({ min: -1e12, max: 1e12, noNaN: true }).filter((d) => !Number.isInteger(d));
const outside = (lo: number, hi: number) => fc.oneof(fc.double({ min: hi + 1e-6, max: 1e300, noNaN: true }), fc.double({ min: -1e300, max: lo - 1e-6, noNaN: true }), nn(notNumber));
/** max_tokens values the schema must refuse: zero, negative, fractional, beyond 10,000,000, not a number. */
const badMaxTokens = fc.oneof(
  fc.integer({ min: -1e9, max: 0 }), fc.integer({ min: 10_000_001, max: Number.MAX_SAFE_INTEGER }), fraction, nn(notNumber),
  fc.constantFrom(1e21, 1e300, -1e300, Number.MAX_VALUE, 2 ** 53, -(2 ** 53), 0.5, 4096.0001, 1e-7),
);
// ── end of harness ──

const SEED = 0x5eed_b111;
const HI = [{ role: "user", content: "Hi" }];
const START_NANO = 10_000_000_000; // "10.00" USD
const setOwn = <T extends object>(o: T, key: string, value: unknown): T => Object.defineProperty(o, key, { value, enumerable: true, configurable: true, writable: true });
const codePoints = (s: string) => [...s].length;
const text = (min: number, max: number) => hostile.filter((s) => codePoints(s) >= min && codePoints(s) <= max);

function post(key: string, path: string, body: unknown): Promise<Response> {
  return SELF.fetch(`${BASE}/api/v1${path}`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });
}
/** A 200 (read to the end, streamed or not) → its request id; anything else must be a clean 4xx. */
async function served(res: Response, shape: Shape, what: string): Promise<string | null> {
  if (res.status !== 200) {
    await rejected(res, shape, what);
    return null;
  }
  await res.text();
  const id = res.headers.get("x-request-id");
  expect(id, what).toBeTruthy();
  return id;
}
/** One usage row per 200 and none otherwise; each cost = tokens × test prices; the balance down by the sum; no hold left. */
async function billedExactly(u: TestUser, okIds: string[], creditsNano = START_NANO) {
  const s = await drained(u.userId);
  const rows = await usageRows(u.userId);
  const success = rows.filter((r) => r.status === "success");
  expect(success.map((r) => r.request_id).sort()).toEqual([...okIds].sort());
  let total = 0;
  for (const r of success) {
    const [p, c, o] = [r.prompt_tokens as number, r.cached_tokens as number, r.completion_tokens as number];
    expect(r).toMatchObject({ status: "success", http_status: 200, cost_nano: (p - c) * 1000 + c * 500 + o * 2000 });
    total += r.cost_nano as number;
  }
  expect(s).toMatchObject({ balanceNano: creditsNano - total, usageNano: total, holdsNano: 0, inFlight: 0, pendingOutbox: 0 });
  const charged = rows.filter((r) => (r.cost_nano as number) > 0).map((r) => [r.request_id, r.cost_nano]).sort();
  const ledger = (await account(u.userId).ledger(1000)).filter((e) => e.kind === "usage");
  expect(ledger.map((e) => [e.ref, -e.amountNano]).sort()).toEqual(charged);
  const { results } = await env.DB.prepare("SELECT ref, amount_nano FROM transactions WHERE user_id = ? AND kind = 'usage'").bind(u.userId).all<{ ref: string; amount_nano: number }>();
  expect(results.map((t) => [t.ref, -t.amount_nano]).sort()).toEqual(charged);
  // Checked last, after the money: a 4xx answer must leave no usage row behind.
  expect(rows.filter((r) => r.status !== "success").map((r) => ({ model: r.model, status: r.status, http_status: r.http_status, error_code: r.error_code })), "usage rows written for 4xx answers").toEqual([]);
  return total;
}
/** A valid body with one field (top level or in messages[0]) replaced by any JSON value, or one unknown field added. */
function mutations(base: Record<string, unknown>, fields: string[]) {
  const where = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...fields, "messages.0.role", "messages.0.content", "messages.0.name") }, { weight: 1, arbitrary: hostile.map((k) => `?${k}`) });
  // arbitrary JSON, plus near-miss scalars and empty containers so that a fair share fits the schema
  const value = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom<unknown>(null, true, false, 0, 1, 2, 16, 0.5, -1, "", "auto", "text", "user", [], {}),
    fc.integer({ min: -5, max: 100 }), fc.string({ maxLength: 8 }));
  return fc.tuple(where, value).map(([f, v]) => {
    const body = structuredClone(base);
    if (f.startsWith("messages.0.")) setOwn((body.messages as object[])[0]!, f.slice(11), v);
    else setOwn(body, f.replace(/^\?/, ""), v);
    return body;
  });
}

describe("fc.jsonValue mutated into valid request shapes → 4xx, or 200 billed exactly once", () => {
  it("POST /chat/completions (test-echo): any field replaced by an arbitrary JSON value", async () => {
    const u = await createUser("10.00");
    const ok: string[] = [];
    const gen = mutations({ model: "test-echo", messages: HI }, Object.keys(chatCompletionSchema.shape));
    await fc.assert(fc.asyncProperty(gen, async (body) => {
      tally("chat/completions");
      const id = await served(await post(u.key, "/chat/completions", body), "openai", JSON.stringify(body));
      if (id) ok.push(id);
    }), { seed: SEED, numRuns: 100 });
    console.log(`[fuzz] chat mutations: ${ok.length}/100 were valid and billed`);
    await billedExactly(u, ok);
  });

  it("POST /messages (test-echo): any field replaced by an arbitrary JSON value", async () => {
    const u = await createUser("10.00");
    const ok: string[] = [];
    const gen = mutations({ model: "test-echo", max_tokens: 16, messages: HI }, Object.keys(messagesRequestSchema.shape));
    await fc.assert(fc.asyncProperty(gen, async (body) => {
      tally("messages");
      const id = await served(await post(u.key, "/messages", body), "anthropic", JSON.stringify(body));
      if (id) ok.push(id);
    }), { seed: SEED + 1, numRuns: 100 });
    console.log(`[fuzz] messages mutations: ${ok.length}/100 were valid and billed`);
    await billedExactly(u, ok);
  });

  it("POST /responses: unknown hostile fields are passed through → every one a 200 billed 6,553,000 nUSD", async () => {
    const u = await createUser("10.00");
    const ok: string[] = [];
    const KNOWN = ["model", "input", "instructions", "stream", "max_output_tokens", "tools"];
    await fc.assert(fc.asyncProperty(fc.dictionary(hostile.filter((k) => !KNOWN.includes(k)), fc.jsonValue({ maxDepth: 3 }), { minKeys: 1, maxKeys: 4 }), async (extra) => {
      tally("responses");
      const body = { model: "test-echo", input: "Hi", ...extra };
      const res = await post(u.key, "/responses", body);
      expect(res.status, JSON.stringify(extra)).toBe(200);
      ok.push((await served(res, "openai", JSON.stringify(extra)))!);
    }), { seed: SEED + 2, numRuns: 25 });
    // openai-phase.1 (served for "echo"): 7243 prompt of which 3072 cached, 423 output
    // → (7243 − 3072) × 1000 + 3072 × 500 + 423 × 2000 = 6,553,000 nUSD per request.
    expect(await billedExactly(u, ok)).toBe(25 * 6_553_000);
  });
});

describe("hostile text in valid positions → 200, billed exactly once", () => {
  it("chat (content, name, user, stop, metadata), messages (system, content, stop_sequences, user_id) and embeddings input", async () => {
    const u = await createUser("10.00");
    const ok: string[] = [];
    const cases = fc.oneof(
      fc.tuple(text(0, 300), text(1, 100), text(0, 100), text(0, 100), text(1, 60)).map(([c, nm, usr, stop, k]) =>
        ["/chat/completions", "openai", { model: "test-echo", messages: [{ role: "user", content: c, name: nm }], user: usr, stop: [stop], metadata: { [k]: c.slice(0, 200) } }] as const),
      fc.tuple(text(0, 300), text(0, 300), text(1, 100), text(0, 200)).map(([sys, c, stop, uid]) =>
        ["/messages", "anthropic", { model: "test-echo", max_tokens: 16, system: sys, messages: [{ role: "user", content: c }], stop_sequences: [stop], metadata: { user_id: uid } }] as const),
      fc.array(text(1, 100), { minLength: 1, maxLength: 4 }).map((input) => ["/embeddings", "openai", { model: "test-embed", input }] as const),
    );
    await fc.assert(fc.asyncProperty(cases, fc.boolean(), async ([path, shape, body], stream) => {
      tally(path.slice(1));
      const b = path === "/embeddings" ? body : { ...body, stream };
      const res = await post(u.key, path, b);
      expect(res.status, JSON.stringify(b)).toBe(200);
      ok.push((await served(res, shape, JSON.stringify(b)))!);
    }), { seed: SEED + 3, numRuns: 40 });
    await billedExactly(u, ok);
  });

  it("deterministic: depth-100,000 nesting in free-form fields (tool parameters, input_schema, responses input) → 200, billed once each", async () => {
    const u = await createUser("10.00");
    const arrays = "[".repeat(100_000) + "]".repeat(100_000);
    const objects = '{"a":'.repeat(100_000) + "1" + "}".repeat(100_000);
    const ok = [
      await served(await post(u.key, "/chat/completions", `{"model":"test-fixture-text","messages":${JSON.stringify(HI)},"tools":[{"type":"function","function":{"name":"f","parameters":{"p":${arrays}}}}]}`), "openai", "chat deep"),
      await served(await post(u.key, "/messages", `{"model":"test-fixture-text","max_tokens":1000,"messages":${JSON.stringify(HI)},"tools":[{"name":"f","input_schema":{"p":${objects}}}]}`), "anthropic", "messages deep"),
      await served(await post(u.key, "/responses", `{"model":"test-echo","input":[${arrays}]}`), "openai", "responses deep"),
    ];
    expect(ok.every((id) => id !== null)).toBe(true);
    // openai-text.json: 16 in, 363 out → 16 × 1000 + 363 × 2000 = 742,000 nUSD (chat and messages);
    // responses: 6,553,000 nUSD (see above).
    expect(await billedExactly(u, ok as string[])).toBe(742_000 + 742_000 + 6_553_000);
  });
});

describe("hostile text in valid operator fields → 2xx with exactly that effect", () => {
  it("user name, credit note, key name and model list, price_source: created / credited / stored, never a 5xx", async () => {
    const u = await createUser("1.00");
    await drained(u.userId);
    let credits = 0;
    let keys = 1;
    const cases = fc.oneof(
      text(1, 200).map((s) => ["user", s] as const), text(0, 500).map((s) => ["note", s] as const),
      text(1, 100).filter((s) => s.trim().length > 0).map((s) => ["key", s] as const), text(1, 300).map((s) => ["price_source", s] as const),
    );
    let i = 0;
    await fc.assert(fc.asyncProperty(cases, async ([kind, s]) => {
      const same = s.isWellFormed();
      if (kind === "user") {
        tally("admin POST /users");
        const res = await admin("/users", { method: "POST", json: { email: `hostile-${i++}@example.test`, name: s } });
        expect(res.status, JSON.stringify(s)).toBe(201);
        const view = (await (await admin(`/users/${((await res.json()) as { id: string }).id}`)).json()) as { name: string };
        if (same) expect(view.name).toBe(s);
      } else if (kind === "note") {
        tally("admin POST /users/:id/credits");
        const res = await admin(`/users/${u.userId}/credits`, { method: "POST", json: { amount_usd: "0.01", note: s } });
        expect(res.status, JSON.stringify(s)).toBe(201);
        credits++;
      } else if (kind === "key") {
        tally("admin POST /users/:id/keys");
        const res = await admin(`/users/${u.userId}/keys`, { method: "POST", json: { name: s, models: [s] } });
        expect(res.status, JSON.stringify(s)).toBe(201);
        keys++;
        const k = (await res.json()) as { key: string };
        const me = await SELF.fetch(`${BASE}/api/v1/key`, { headers: { authorization: `Bearer ${k.key}` } });
        expect(me.status).toBe(200);
        const data = ((await me.json()) as { data: { label: string; models: string[] } }).data;
        if (same) expect(data).toMatchObject({ label: s.trim(), models: [s] });
      } else {
        tally("admin PATCH /models/:id");
        const res = await admin("/models/test-echo", { method: "PATCH", json: { price_source: s } });
        expect(res.status, JSON.stringify(s)).toBe(200);
        const view = (await res.json()) as { price_source: string; pricing: { prompt: string } };
        expect(view.pricing.prompt).toBe("0.000001"); // 1,000,000 µUSD per 1M tokens, unchanged
        if (same) expect(view.price_source).toBe(s);
      }
    }), { seed: SEED + 4, numRuns: 40 });
    const s = await drained(u.userId);
    expect(s).toMatchObject({ balanceNano: 1_000_000_000 + credits * 10_000_000, holdsNano: 0 }); // each credit 0.01 USD = 10,000,000 nUSD
    expect((await account(u.userId).ledger(1000)).filter((e) => e.kind === "grant")).toHaveLength(1 + credits);
    expect(await account(u.userId).listKeys()).toHaveLength(keys);
  });
});
