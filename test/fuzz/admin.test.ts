import { env, runInDurableObject, SELF } from "cloudflare:test";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { account, admin, ADMIN_TOKEN, BASE, createUser, drained, settled, type TestUser } from "../helpers/gateway";

// Hostile input on every operator route (/api/admin: users, users/:id, users/:id/usage,
// users/:id/credits, users/:id/keys, keys/:id, models/:id). Each generated body is a valid one with
// exactly one defect, so a route that ignored the defect would write (credit, create a key or user,
// revoke, re-price): the outcome must be a 4xx in OpenAI's shape and every table as before.

import { rejected, books, type Books, quick, hostile, json, nn, notString, notNumber, notBool, notArray, longStr, fraction } from "./harness";
const runs: Record<string, number> = {};
const tally = (route: string) => { runs[route] = (runs[route] ?? 0) + 1; };
afterAll(() => console.log(`[fuzz] admin inputs per route: ${JSON.stringify(runs)}`));

const SEED = 0x5eed_ad01;
const ABSENT = Symbol("absent");
let u: TestUser;
let before: Books;
let victimView: string;
let victimEmail: string;
let n = 0;
const operatorState = async () => ({
  users: await env.DB.prepare("SELECT id, email, name, status FROM users ORDER BY id").all().then((r) => r.results),
  keys: await env.DB.prepare("SELECT * FROM api_keys ORDER BY id").all().then((r) => r.results),
  models: await env.DB.prepare("SELECT * FROM models ORDER BY id").all().then((r) => r.results),
});
let operatorBefore: Awaited<ReturnType<typeof operatorState>>;
beforeAll(async () => {
  u = await createUser("1.00");
  await drained(u.userId);
  before = await books(u.userId);
  victimView = await (await admin(`/users/${u.userId}`)).text();
  victimEmail = (JSON.parse(victimView) as { email: string }).email;
  operatorBefore = await operatorState();
});
const codePoints = (s: string) => [...s].length;
const setOwn = <T extends object>(o: T, key: string, value: unknown): T => Object.defineProperty(o, key, { value, enumerable: true, configurable: true, writable: true });
const under = (param: string | null | undefined, field: string) => param === field || !!param?.startsWith(`${field}.`) || !!param?.startsWith(`${field}[`);
const printable = fc.string({ unit: "binary-ascii", maxLength: 60 }).filter((s) => /^[\x20-\x7e]*$/.test(s));
const wellFormed = hostile.map((s) => s.toWellFormed());
/** A path segment that can never be "." or "..", with hostile text, encoded or as broken escapes. */
const segment = fc.array(fc.oneof(wellFormed.map(encodeURIComponent), fc.constantFrom("%", "%zz", "%00", "%ff", "%ED%A0%80", "%2e", ";", "@")), { minLength: 1, maxLength: 5 }).map((a) => `zz${a.join("")}`);
const base36 = (len: number) => fc.string({ unit: fc.constantFrom(..."0123456789abcdefghijklmnopqrstuvwxyz"), minLength: len, maxLength: len });

function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const h = new Headers({ authorization: `Bearer ${ADMIN_TOKEN}`, ...headers });
  if (body !== undefined) h.set("content-type", "application/json");
  return SELF.fetch(`${BASE}/api/admin${path}`, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
}
/** `base` with one field replaced by a defect (or removed, for ABSENT). */
function defective(base: Record<string, unknown>, f: string, v: unknown) {
  const body = { ...base };
  if (v === ABSENT) delete body[f];
  else setOwn(body, f, v);
  return body;
}
const unknownField = (known: string[]) => fc.tuple(wellFormed.filter((k) => !known.includes(k)), json);
const fieldDefect = (table: Record<string, fc.Arbitrary<unknown>>) => fc.constantFrom(...Object.keys(table)).chain((f) => fc.tuple(fc.constant(f), table[f]!));
async function everythingAsBefore() {
  expect(await books(u.userId)).toEqual(before);
  expect(await operatorState()).toEqual(operatorBefore);
}

describe("fuzz the operator token on every operator route (valid requests, wrong token)", () => {
  it("missing, malformed or near-miss operator tokens → 401 invalid_admin_token, nothing done", async () => {
    const routes = () => [
      ["POST", "/users", { email: `fuzz-auth-${n++}@example.test` }], ["GET", `/users/${u.userId}`], ["GET", `/users/${u.userId}/usage`],
      ["POST", `/users/${u.userId}/credits`, { amount_usd: "5.00" }], ["POST", `/users/${u.userId}/keys`, { name: "k" }],
      ["DELETE", `/keys/${u.keyId}`], ["PATCH", "/models/test-echo", { input_usd_per_m: "9.99", price_source: "fuzz" }],
    ] as Array<[string, string, unknown?]>;
    const token = fc.oneof(
      fc.constant(null), printable, printable.map((v) => `Bearer ${v}`),
      fc.tuple(fc.nat(), fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz-ABC0!~ ")).map(([i, c]) => {
        const at = i % ADMIN_TOKEN.length;
        return `Bearer ${ADMIN_TOKEN.slice(0, at)}${ADMIN_TOKEN[at] === c ? "Q" : c}${ADMIN_TOKEN.slice(at + 1)}`;
      }),
      fc.constantFrom(`Bearer ${ADMIN_TOKEN}x`, `Bearer x${ADMIN_TOKEN}`, `Bearer ${ADMIN_TOKEN.toUpperCase()}`, `Basic ${btoa(`admin:${ADMIN_TOKEN}`)}`, `Bearer${ADMIN_TOKEN}`, `Token ${ADMIN_TOKEN}`),
      fc.constant("user-key"),
    );
    await fc.assert(fc.asyncProperty(fc.nat({ max: 6 }), token, async (i, t) => {
      const [method, path, body] = routes()[i]!;
      tally(`auth ${method} ${path.replace(/u[0-9a-z]{20}/, ":id").replace(/key_\w+/, ":id")}`);
      const headers = new Headers(body === undefined ? {} : { "content-type": "application/json" });
      if (t !== null) headers.set("authorization", t === "user-key" ? `Bearer ${u.key}` : t);
      const res = await SELF.fetch(`${BASE}/api/admin${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      expect(await rejected(res, "openai", `${method} ${path} ${t}`)).toMatchObject({ status: 401, code: "invalid_admin_token" });
      await quick(u.userId, before);
    }), { seed: SEED, numRuns: 100 });
    await everythingAsBefore();
  });
});

describe("fuzz operator request bodies, ids and queries: one defect each → 4xx, nothing written", () => {
  it("POST /users: bad or missing email, bad name, unknown field, or an existing email in other case → 400/409", async () => {
    const USERS: Record<string, fc.Arbitrary<unknown>> = {
      email: fc.oneof(fc.constant(ABSENT), notString, wellFormed.filter((s) => !s.includes("@")), longStr(310, 330).map((s) => `${s}@example.test`),
        fc.constantFrom("@example.test", "a@", "a@@b.test", "a b@c.test", "a@b", ".a@b.test", "a@b..test", "a@-b.test", "a@b.c", " a@b.test", "a@b.test\n")),
      name: fc.oneof(fc.constant(""), longStr(201, 260), notString),
    };
    const defect = fc.oneof(fieldDefect(USERS), unknownField(["email", "name"]), fc.constant(["taken", null] as [string, unknown]));
    await fc.assert(fc.asyncProperty(defect, async ([f, v]) => {
      tally("POST /users");
      const body = f === "taken" ? { email: victimEmail.toUpperCase() } : defective({ email: `fuzz-${n++}@example.test`, name: "Fuzz" }, f, v);
      const e = await rejected(await call("POST", "/users", body), "openai", JSON.stringify(body).slice(0, 300));
      if (f === "taken") expect(e).toMatchObject({ status: 409, code: "email_taken", param: "email" });
      else if (f in USERS) expect(e.status === 400 && under(e.param, f), `param ${e.param} for ${f}`).toBe(true);
      else expect(e).toMatchObject({ status: 400, code: "unknown_parameter", param: f || null });
    }), { seed: SEED + 1, numRuns: 80 });
    await everythingAsBefore();
  });

  it("GET /users/:id and /users/:id/usage?limit=&before=: bad ids → 400, unknown ids → 404, bad queries → 400, else 200", async () => {
    type Verdict = "ok" | "bad" | "either";
    const limit = fc.oneof(fc.integer({ min: 1, max: 1000 }).map((x) => [String(x), "ok"] as [string, Verdict]),
      fc.constantFrom<[string, Verdict]>(["0", "bad"], ["-1", "bad"], ["1001", "bad"], ["1.5", "bad"], ["abc", "bad"], ["", "bad"], ["NaN", "bad"], ["Infinity", "bad"], ["1e400", "bad"],
        ["0x10", "either"], ["1e2", "either"], [" 5", "either"], ["+5", "either"]));
    const beforeQ = fc.oneof(fc.nat().map((x) => [String(x), "ok"] as [string, Verdict]),
      fc.constantFrom<[string, Verdict]>(["-1", "bad"], ["1.5", "bad"], ["abc", "bad"], ["1e400", "bad"], ["", "either"], ["-0", "either"], ["1e3", "either"], ["99999999999999999999", "either"]));
    const pair = fc.oneof(limit.map(([v, x]) => ["limit", v, x] as const), beforeQ.map(([v, x]) => ["before", v, x] as const),
      wellFormed.filter((k) => k.length > 0 && k !== "limit" && k !== "before").map((k) => [k, "1", "ok"] as const));
    const id = fc.oneof(fc.constant("victim"), base36(20).map((s) => `u${s}`), segment);
    await fc.assert(fc.asyncProperty(id, fc.boolean(), fc.array(pair, { maxLength: 4 }), async (idv, usage, pairs) => {
      const userId = idv === "victim" ? u.userId : idv;
      tally(usage ? "GET /users/:id/usage" : "GET /users/:id");
      const q = pairs.length ? `?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&")}` : "";
      const res = await call("GET", `/users/${userId}${usage ? "/usage" : ""}${q}`);
      const named = pairs.filter(([k]) => k === "limit" || k === "before");
      const verdict: Verdict = new Set(named.map(([k]) => k)).size < named.length || named.some(([, , x]) => x === "bad") ? "bad"
        : named.some(([, , x]) => x === "either") ? "either" : "ok";
      if (!/^u[0-9a-z]{20}$/.test(userId)) {
        expect(await rejected(res, "openai", userId)).toMatchObject({ status: 400, param: "id" });
      } else if (!usage || verdict === "ok" || (verdict === "either" && res.status !== 400)) {
        if (idv !== "victim") expect(await rejected(res, "openai", userId)).toMatchObject({ status: 404, code: "user_not_found" });
        else if (usage) expect(await res.json()).toEqual({ data: [], next_before: null });
        else expect(await res.text()).toBe(victimView);
      } else {
        expect(await rejected(res, "openai", `${userId}${q}`)).toMatchObject({ status: 400 });
      }
      await quick(u.userId, before);
    }), { seed: SEED + 2, numRuns: 100 });
    await everythingAsBefore();
  });

  it("POST /users/:id/credits: bad, zero or oversized amount, bad note, bad idempotency key (body or header), unknown field → 4xx, balance untouched", async () => {
    const AMOUNT_RE = /^-?\d{1,7}(\.\d{1,9})?$/;
    const CREDITS: Record<string, fc.Arbitrary<unknown>> = {
      amount_usd: fc.oneof(fc.constant(ABSENT), notString, wellFormed.filter((s) => !AMOUNT_RE.test(s)),
        fc.constantFrom("1e3", "+5", " 5", "5 ", "5.0000000001", "12345678", "1,00", "", "５", "5.", ".5", "--5", "0x10", "NaN", "Infinity"),
        fc.constantFrom("0", "-0", "0.0", "0.000000000", "-0000000.000000000", "0000000", "1000000.000000001", "9999999", "9999999.999999999", "-1000000.000000001")),
      note: fc.oneof(longStr(501, 600), notString),
      idempotency_key: fc.oneof(fc.constant(""), longStr(129, 200), notString, wellFormed.filter((s) => codePoints(s) <= 128 && !/^[\w.:-]{1,128}$/.test(s))),
    };
    const headerKey = printable.map((s) => s.trim()).filter((s) => !/^[\w.:-]{1,128}$/.test(s)).map((h) => ["header", h] as [string, unknown]);
    const defect = fc.oneof(fieldDefect(CREDITS), unknownField(["amount_usd", "note", "idempotency_key"]), headerKey);
    await fc.assert(fc.asyncProperty(defect, fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, base36(20).map((s) => `u${s}`)), async ([f, v], other) => {
      tally("POST /users/:id/credits");
      const body = f === "header" ? { amount_usd: "5.00", note: "fuzz" } : defective({ amount_usd: "5.00", note: "fuzz" }, f, v);
      const res = await call("POST", `/users/${other ?? u.userId}/credits`, body, f === "header" ? { "idempotency-key": v as string } : {});
      await rejected(res, "openai", `${JSON.stringify(body).slice(0, 200)} ${f === "header" ? JSON.stringify(v) : ""}`);
      await quick(u.userId, before);
    }), { seed: SEED + 3, numRuns: 120 });
    await everythingAsBefore();
  });

  it("POST /users/:id/keys: bad name, limits, spend limit, model list or expiry (past or malformed), unknown field → 400 naming it, no key created", async () => {
    const intBad = (max: number) => fc.oneof(fc.integer({ min: -1e9, max: 0 }), fc.integer({ min: max + 1, max: Number.MAX_SAFE_INTEGER }), fraction, nn(notNumber));
    const KEYS: Record<string, fc.Arbitrary<unknown>> = {
      name: fc.oneof(fc.constant(ABSENT), fc.constant(""), fc.constantFrom(" ", "\t\n", "\u3000", "\u00a0", "\ufeff \u2028"), longStr(101, 200), notString),
      rpm: intBad(1_000_000), tpm: intBad(1_000_000_000), max_concurrency: intBad(10_000),
      spend_limit_usd: fc.oneof(nn(notString), fc.constantFrom("-1", "1e3", "12345678", "5.0000000001", "", "abc", " 5")),
      models: fc.oneof(nn(notArray), fc.constant([]), fc.constant([""]), fc.constant(["x".repeat(257)]), fc.integer({ min: 501, max: 600 }).map((k) => Array(k).fill("m")), fc.array(notString, { minLength: 1, maxLength: 3 })),
      expires_at: fc.oneof(nn(notString), fc.constantFrom("tomorrow", "2030-13-01T00:00:00Z", "2030-02-30T00:00:00Z", "2030-01-01", "2030-01-01T00:00:00", "2030-01-01 00:00:00Z"),
        fc.integer({ min: 0, max: Date.now() - 60_000 }).map((ms) => new Date(ms).toISOString())),
    };
    const defect = fc.oneof(fieldDefect(KEYS), unknownField(["name", ...Object.keys(KEYS)]));
    await fc.assert(fc.asyncProperty(defect, async ([f, v]) => {
      tally("POST /users/:id/keys");
      const body = defective({ name: "fuzz key" }, f, v);
      const e = await rejected(await call("POST", `/users/${u.userId}/keys`, body), "openai", JSON.stringify(body).slice(0, 300));
      if (f in KEYS) expect(e.status === 400 && under(e.param, f), `param ${e.param} for ${f}`).toBe(true);
      else expect(e).toMatchObject({ status: 400, code: "unknown_parameter", param: f || null });
      await quick(u.userId, before);
    }), { seed: SEED + 4, numRuns: 120 });
    await everythingAsBefore();
  });

  it("DELETE /keys/:id with hostile, unknown or near-miss ids → 400/404; the user's key stays live", async () => {
    const id = fc.oneof(segment, base36(22).map((s) => `key_${s}`), fc.tuple(fc.nat(), fc.constantFrom(..."0123456789abcdefghijklmnopqrstuvwxyzA_")).map(([i, c]) => [i, c] as const));
    await fc.assert(fc.asyncProperty(id, async (raw) => {
      tally("DELETE /keys/:id");
      let keyId: string;
      if (typeof raw === "string") keyId = raw;
      else { const at = 4 + (raw[0] % (u.keyId.length - 4)); keyId = u.keyId.slice(0, at) + (u.keyId[at] === raw[1] ? "0" === raw[1] ? "1" : "0" : raw[1]) + u.keyId.slice(at + 1); }
      const e = await rejected(await call("DELETE", `/keys/${keyId}`), "openai", keyId);
      expect([400, 404]).toContain(e.status);
      expect(e.param).toBe("id");
      await quick(u.userId, before);
    }), { seed: SEED + 5, numRuns: 60 });
    await everythingAsBefore();
  });

  it("PATCH /models/:id: a defect in the price update → 400; a valid update of an unknown (hostile) id → 404; prices unchanged", async () => {
    const badPrice = fc.oneof(notString, fc.constantFrom("-1", "1e3", "1234567", "0.1234567", "", " 1", "abc", "1.", ".5"));
    const PATCH: Record<string, fc.Arbitrary<unknown>> = {
      input_usd_per_m: badPrice, output_usd_per_m: badPrice,
      cached_input_usd_per_m: badPrice.filter((v) => v !== null), cache_write_usd_per_m: badPrice.filter((v) => v !== null),
      enabled: notBool, price_source: fc.oneof(fc.constant(ABSENT), fc.constant(""), longStr(301, 400), notString),
    };
    const good = { input_usd_per_m: "9.99", output_usd_per_m: "19.99", price_source: "fuzz" };
    const cases = fc.oneof(
      fc.oneof(fieldDefect(PATCH), unknownField(Object.keys(PATCH))).map(([f, v]) => ({ id: "test-echo", f, body: defective(good, f, v) })),
      fc.tuple(segment, fc.constantFrom("", "", "y".repeat(300))).map(([s, pad]) => ({ id: s + pad, f: "id", body: good as Record<string, unknown> })),
    );
    await fc.assert(fc.asyncProperty(cases, async ({ id, f, body }) => {
      tally("PATCH /models/:id");
      const e = await rejected(await call("PATCH", `/models/${id}`, body), "openai", `${id} ${JSON.stringify(body).slice(0, 200)}`);
      if (f !== "id" && f in PATCH) expect(e.status === 400 && under(e.param, f), `param ${e.param} for ${f}`).toBe(true);
      else if (f !== "id") expect(e).toMatchObject({ status: 400, code: "unknown_parameter" });
      else expect(e.status === 404 ? e.code : e.param).toBe(e.status === 404 ? "model_not_found" : "id");
    }), { seed: SEED + 6, numRuns: 120 });
    await everythingAsBefore();
  });
});
