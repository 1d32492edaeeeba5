import { env, runInDurableObject, SELF } from "cloudflare:test";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { chatCompletionSchema } from "../../src/wire/chat";
import { messagesRequestSchema } from "../../src/surfaces/anthropic/schema";
import { account, admin, BASE, createUser, drained, settled, usageRows, type TestUser } from "../helpers/gateway";
import { drainedToD1 } from "../helpers/usage-plane";

// Fuzzed inputs that CAN be valid. Here validity cannot be excluded (a fuzzed JSON value may
// happen to fit the schema; unknown /responses fields are passed through by design; hostile text in
// a text field is legitimate), so the outcome asserted is "a 4xx in the route's shape, or a 200
// billed exactly once": one usage row per 200 and none for a 4xx, each row's cost equal to its
// tokens × the test prices (input 1000, cached 500, output 2000 nUSD/token), and the balance down
// by exactly the sum. Never a 5xx.

import { type Shape, rejected, hostile, json } from "./harness";
const runs: Record<string, number> = {};
const tally = (route: string) => { runs[route] = (runs[route] ?? 0) + 1; };
afterAll(() => console.log(`[fuzz] valid-or-billed inputs per route: ${JSON.stringify(runs)}`));

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
    await rejected(res, shape, what, true);
    return null;
  }
  await res.text();
  const id = res.headers.get("x-request-id");
  expect(id, what).toBeTruthy();
  return id;
}
/** One usage row per 200 and none otherwise; each cost = tokens × test prices; the balance down by the sum; no hold left. */
async function billedExactly(u: TestUser, okIds: string[], creditsNano = START_NANO) {
  const { summary: s, plane } = await drainedToD1(u.userId);
  const rows = await usageRows(u.userId);
  const success = rows.filter((r) => r.status === "success");
  expect(success.map((r) => r.request_id).sort()).toEqual([...okIds].sort());
  let total = 0;
  for (const r of success) {
    const [p, c, o] = [r.prompt_tokens as number, r.cached_tokens as number, r.completion_tokens as number];
    const cost = (p - c) * 1000 + c * 500 + o * 2000;
    // A stand-in's recorded usage can exceed what a tiny request reserved: then the charge is capped
    // at the request's max charge and the rest waived (usage_source "clamped", docs/billing.md).
    if (r.usage_source === "clamped") expect(r.cost_nano as number).toBeLessThanOrEqual(cost);
    else expect(r).toMatchObject({ status: "success", http_status: 200, cost_nano: cost });
    total += r.cost_nano as number;
  }
  expect(s).toMatchObject({ balanceNano: creditsNano - total, usageNano: total, holdsNano: 0, inFlight: 0, pendingOutbox: 0 });
  const charged = rows.filter((r) => (r.cost_nano as number) > 0).map((r) => [r.request_id, r.cost_nano]).sort();
  const ledger = (await account(u.userId).ledger(1000)).filter((e) => e.kind === "usage");
  expect(ledger.map((e) => [e.ref, -e.amountNano]).sort()).toEqual(charged);
  // D1 holds the usage charges as daily statements (the usage plane): the same count and sum.
  const { statements } = plane;
  expect(statements).toEqual({ charges: charged.length, charged: charged.reduce((a, [, c]) => a + (c as number), 0) });
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
    // → (7243 − 3072) × 1000 + 3072 × 500 + 423 × 2000 = 6,553,000 nUSD per request: charged up to
    // each request's max charge (a 2-token input reserves far less), the rest booked as waivers.
    const charged = await billedExactly(u, ok);
    const waived = (await account(u.userId).ledger(1000)).filter((e) => e.kind === "waiver").reduce((a, e) => a + (e.waivedNano ?? 0), 0);
    expect(charged + waived).toBe(25 * 6_553_000);
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
