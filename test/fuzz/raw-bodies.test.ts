import { env, runInDurableObject, SELF } from "cloudflare:test";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { account, ADMIN_TOKEN, BASE, createUser, drained, settled, type TestUser } from "../helpers/gateway";

// Hostile bytes on every POST/PATCH route (chat, messages and its /v1 alias, responses, embeddings,
// and the operator routes): broken JSON text, invalid UTF-8, odd content types, junk query
// strings and 10 MiB bodies. Each base document is invalid twice over (e.g. an unknown field AND
// an unknown model), so no mutation of a few bytes can make it valid: every outcome must be a 4xx
// in the route's error shape, with nothing reserved, charged or written.

import { type Shape, rejected, books, type Books, quick, hostile, json } from "./harness";
const runs: Record<string, number> = {};
const tally = (route: string) => { runs[route] = (runs[route] ?? 0) + 1; };
afterAll(() => console.log(`[fuzz] raw-bodies inputs per route: ${JSON.stringify(runs)}`));

const SEED = 0x5eed_b17e;
let u: TestUser;
let before: Books;
let operatorState: () => Promise<unknown>;
let operatorBefore: unknown;
beforeAll(async () => {
  u = await createUser("1.00");
  await drained(u.userId);
  before = await books(u.userId);
  operatorState = async () => ({
    users: await env.DB.prepare("SELECT count(*) AS n FROM users").first("n"),
    keys: await env.DB.prepare("SELECT id, revoked_at FROM api_keys ORDER BY id").all().then((r) => r.results),
    models: await env.DB.prepare("SELECT * FROM models ORDER BY id").all().then((r) => JSON.stringify(r.results)),
  });
  operatorBefore = await operatorState();
});

interface Route { name: string; method: "POST" | "PATCH"; path: () => string; shape: Shape; admin: boolean; base: Record<string, unknown> }
const NOPE = "zz-no-such-model";
const ROUTES: Route[] = [
  { name: "chat/completions", method: "POST", path: () => "/api/v1/chat/completions", shape: "openai", admin: false, base: { model: NOPE, messages: [{ role: "user", content: "Hi" }], zz_fuzz: 1 } },
  { name: "messages", method: "POST", path: () => "/api/v1/messages", shape: "anthropic", admin: false, base: { model: NOPE, max_tokens: 16, messages: [{ role: "user", content: "Hi" }], zz_fuzz: 1 } },
  { name: "v1/messages", method: "POST", path: () => "/v1/messages", shape: "anthropic", admin: false, base: { model: NOPE, max_tokens: 16, messages: [{ role: "user", content: "Hi" }], zz_fuzz: 1 } },
  { name: "responses", method: "POST", path: () => "/api/v1/responses", shape: "openai", admin: false, base: { model: NOPE, input: "Hi", max_output_tokens: 0 } },
  { name: "embeddings", method: "POST", path: () => "/api/v1/embeddings", shape: "openai", admin: false, base: { model: NOPE, input: "Hi", zz_fuzz: 1 } },
  { name: "admin POST users", method: "POST", path: () => "/api/admin/users", shape: "openai", admin: true, base: { email: "no-at-sign", zz_fuzz: 1 } },
  { name: "admin POST credits", method: "POST", path: () => `/api/admin/users/${u.userId}/credits`, shape: "openai", admin: true, base: { amount_usd: "0", note: "x", zz_fuzz: 1 } },
  { name: "admin POST keys", method: "POST", path: () => `/api/admin/users/${u.userId}/keys`, shape: "openai", admin: true, base: { name: "   ", rpm: 0, zz_fuzz: 1 } },
  { name: "admin PATCH models", method: "PATCH", path: () => "/api/admin/models/test-echo", shape: "openai", admin: true, base: { input_usd_per_m: "-1", price_source: "fuzz", zz_fuzz: 1 } },
];
const route = fc.constantFrom(...ROUTES);
const enc = new TextEncoder();

function send(r: Route, body: BodyInit, contentType: string | null = "application/json", query = ""): Promise<Response> {
  const headers = new Headers({ authorization: `Bearer ${r.admin ? ADMIN_TOKEN : u.key}` });
  if (contentType !== null) headers.set("content-type", contentType);
  return SELF.fetch(`${BASE}${r.path()}${query}`, { method: r.method, headers, body, duplex: "half" } as RequestInit);
}

/** Byte-level edits: cut the text short, insert, overwrite or delete bytes at a position. */
const STRUCTURAL = [..."{}[]\",:\\ \t\n0123456789eE+-.truefalsn"].map((c) => [c.charCodeAt(0)]);
const garbage = fc.oneof(fc.constantFrom(...STRUCTURAL), fc.uint8Array({ minLength: 1, maxLength: 4 }).map((a) => [...a]));
const edit = fc.record({ kind: fc.constantFrom("truncate", "insert", "replace", "delete"), at: fc.nat(), bytes: garbage });
type Edit = { kind: string; at: number; bytes: number[] };
function applyEdits(text: string, edits: Edit[]): Uint8Array {
  let b = [...enc.encode(text)];
  for (const e of edits) {
    const at = e.at % (b.length + 1);
    if (e.kind === "truncate") b = b.slice(0, at);
    else if (e.kind === "insert") b.splice(at, 0, ...e.bytes);
    else if (e.kind === "replace") b.splice(at, e.bytes.length, ...e.bytes);
    else b.splice(at, e.bytes.length);
  }
  return new Uint8Array(b);
}
/** Invalid UTF-8: bad lead bytes, overlongs, CESU-8 lone surrogates, truncated sequences, > U+10FFFF; plus NUL, ESC and a BOM. */
const BAD_UTF8 = [[0xff], [0xfe], [0x80], [0xbf], [0xc0, 0xaf], [0xc1, 0xbf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf],
  [0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xf4, 0x90, 0x80, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x00], [0x1b], [0xef, 0xbb, 0xbf]];

describe("fuzz raw request bodies on every POST/PATCH route → 4xx in the route's shape, nothing written", () => {
  it("invalid JSON text (truncated, spliced, overwritten with structural or random bytes)", async () => {
    await fc.assert(fc.asyncProperty(route, fc.array(edit, { minLength: 1, maxLength: 4 }), async (r, edits) => {
      tally(r.name);
      await rejected(await send(r, applyEdits(JSON.stringify(r.base), edits)), r.shape, `${r.name} ${JSON.stringify(edits)}`);
      await quick(u.userId, before);
    }), { seed: SEED, numRuns: 150 });
  });

  it("invalid UTF-8 byte sequences spliced anywhere into the document (inside strings, keys or between tokens)", async () => {
    const splice = fc.record({ kind: fc.constant("insert"), at: fc.nat(), bytes: fc.constantFrom(...BAD_UTF8) });
    await fc.assert(fc.asyncProperty(route, fc.array(splice, { minLength: 1, maxLength: 5 }), async (r, edits) => {
      tally(r.name);
      await rejected(await send(r, applyEdits(JSON.stringify(r.base), edits)), r.shape, `${r.name} ${JSON.stringify(edits)}`);
      await quick(u.userId, before);
    }), { seed: SEED + 1, numRuns: 150 });
  });

  it("odd content types (or none) and junk query strings → 400 invalid_content_type unless the type is JSON", async () => {
    const CTS = ["", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "application/jsonx",
      "application/json-seq", "application/json; charset=utf-16", "APPLICATION/JSON", "application/vnd.api+json", "application/json, text/plain",
      "json", "*/*", "application/*", "application/json;;", "text/json", "application/problem+json", "application/x-ndjson", "application/octet-stream", " application/json "];
    const contentType = fc.oneof(fc.constantFrom(...CTS), fc.string({ unit: "binary-ascii", maxLength: 40 }).filter((s) => /^[\x20-\x7e\t]*$/.test(s)), fc.constant(null));
    const qpiece = fc.oneof(fc.constantFrom("&", "=", "%", "%%", "%zz", "%00", "%ff", "%ED%A0%80", "+", "[]", "?", "model=", "stream=true", "key=", "__proto__=1", ";", "%3D", "%26"),
      fc.string({ unit: "binary-ascii", maxLength: 5 }).map(encodeURIComponent), hostile.map((s) => encodeURIComponent(s.toWellFormed())));
    const query = fc.array(qpiece, { maxLength: 10 }).map((a) => (a.length ? `?${a.join("")}` : ""));
    await fc.assert(fc.asyncProperty(route, contentType, query, async (r, ct, q) => {
      tally(r.name);
      const e = await rejected(await send(r, enc.encode(JSON.stringify(r.base)), ct, q), r.shape, `${r.name} ct=${JSON.stringify(ct)} q=${q}`);
      const seen = ct === null ? "" : new Headers({ "content-type": ct }).get("content-type")!;
      if (!/^application\/([\w.-]+\+)?json\b/i.test(seen)) {
        expect(e.status).toBe(400);
        expect(e.message).toContain("Content-Type");
      }
      await quick(u.userId, before);
    }), { seed: SEED + 2, numRuns: 120 });
  });
});

describe("10 MiB bodies (deterministic) → 413 request_too_large in the route's shape, nothing written", () => {
  const PAD = "x".repeat(10 * 1024 * 1024);
  for (const r of ROUTES) {
    it(`${r.method} ${r.name}: 10 MiB JSON with content-length, and 10 MiB sent as text/plain`, async () => {
      tally(r.name);
      const e = await rejected(await send(r, `{"pad":"${PAD}",${JSON.stringify(r.base).slice(1)}`), r.shape, r.name);
      expect(e).toMatchObject({ status: 413, type: "request_too_large" });
      tally(r.name);
      expect(await rejected(await send(r, PAD, "text/plain"), r.shape, r.name)).toMatchObject({ status: 413 });
    });
  }

  it("10 MiB streamed without content-length (chunked) on chat, messages and the operator API → 413", async () => {
    for (const r of [ROUTES[0]!, ROUTES[1]!, ROUTES[5]!]) {
      tally(r.name);
      const mib = enc.encode("x".repeat(1024 * 1024));
      let i = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(c) {
          if (i === 0) c.enqueue(enc.encode('{"pad":"'));
          else if (i <= 10) c.enqueue(mib);
          else { c.enqueue(enc.encode(`",${JSON.stringify(r.base).slice(1)}`)); c.close(); }
          i++;
        },
      });
      expect(await rejected(await send(r, body), r.shape, r.name)).toMatchObject({ status: 413, type: "request_too_large" });
    }
  });

  it("after all raw-body fuzzing: the user's books and the operator tables (users, keys, models) are unchanged", async () => {
    expect(await books(u.userId)).toEqual(before);
    expect(await operatorState()).toEqual(operatorBefore);
  });
});
