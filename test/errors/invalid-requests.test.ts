import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { BASE, admin, api, chat, createUser, drained, usageRows, type TestUser } from "../helpers/gateway";
import { expectError, type ErrorBody } from "../helpers/errors";

// Request-validation errors (400), unknown models/routes (404), oversized bodies (413), and a sweep of
// odd inputs that must never produce a 500. None of these reach the upstream or touch the balance.

/** POSTs a raw body to an /api/v1 path with the given content type. */
function rawPost(path: string, key: string, body: BodyInit, contentType: string | null = "application/json"): Promise<Response> {
  const headers = new Headers({ authorization: `Bearer ${key}` });
  if (contentType !== null) headers.set("content-type", contentType);
  return SELF.fetch(`${BASE}/api/v1${path}`, { method: "POST", headers, body });
}

const CREDITS_NANO = 5_000_000_000; // "5.00" USD
let u: TestUser;
beforeAll(async () => {
  u = await createUser("5.00");
});

describe("400 invalid chat body names the field in param", () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ["messages[0].role wrong", { model: "test-echo", messages: [{ role: "wizard", content: "hi" }] }, "messages[0].role"],
    ["temperature 5", { model: "test-echo", temperature: 5 }, "temperature"],
    ["max_tokens -1", { model: "test-echo", max_tokens: -1 }, "max_tokens"],
    ["max_tokens 0", { model: "test-echo", max_tokens: 0 }, "max_tokens"],
    ["max_tokens 1e12", { model: "test-echo", max_tokens: 1e12 }, "max_tokens"],
    ["max_tokens 1.5", { model: "test-echo", max_tokens: 1.5 }, "max_tokens"],
    ["missing model", { model: undefined }, "model"],
    ["messages[1].content a number", { model: "test-echo", messages: [{ role: "user", content: "a" }, { role: "user", content: 5 }] }, "messages[1].content"],
    ["stream not a boolean", { model: "test-echo", stream: "yes" }, "stream"],
  ];
  for (const [name, body, param] of cases) {
    it(`${name} → 400 invalid_request, param ${param}`, async () => {
      const res = await chat(u.key, body);
      const b = await expectError(res, 400, "invalid_request", "invalid_request_error", param);
      expect(b.error.message).toContain(param);
    });
  }

  it("missing messages → 400, param messages", async () => {
    const res = await api("/chat/completions", u.key, { method: "POST", json: { model: "test-echo" } });
    await expectError(res, 400, "invalid_request", "invalid_request_error", "messages");
  });

  it("empty messages array → 400, param messages", async () => {
    await expectError(await chat(u.key, { model: "test-echo", messages: [] }), 400, "invalid_request", "invalid_request_error", "messages");
  });

  // Issue 13 (pass-through policy): a well-formed unknown field is passed on, not refused.
  it("unknown top-level or nested field → accepted and passed to the OpenAI-format provider", async () => {
    const payer = await createUser("1.00");
    expect((await chat(payer.key, { model: "test-echo", frobnicate: true })).status).toBe(200);
    expect((await chat(payer.key, { model: "test-echo", messages: [{ role: "user", content: "hi", colour: "red" }] })).status).toBe(200);
  });

  it("a field that would change the price unpriced → 400 naming it", async () => {
    const b = await expectError(await chat(u.key, { model: "test-echo", web_search_options: {} }), 400, "invalid_request", "invalid_request_error", "web_search_options");
    expect(b.error.message).toContain("web_search_options");
  });

  it("malformed JSON text → 400 invalid_json", async () => {
    await expectError(await rawPost("/chat/completions", u.key, '{"model":"test-echo","messages":[{'), 400, "invalid_json", "invalid_request_error", null);
  });

  it("wrong content-type (text/plain, form, none) → 400 invalid_content_type", async () => {
    const json = JSON.stringify({ model: "test-echo", messages: [{ role: "user", content: "hi" }] });
    for (const ct of ["text/plain", "application/x-www-form-urlencoded", null]) {
      await expectError(await rawPost("/chat/completions", u.key, json, ct), 400, "invalid_content_type", "invalid_request_error", null);
    }
  });

  it("a chat model on /embeddings and an embedding model on /chat → 400 wrong_model_kind, param model", async () => {
    await expectError(await chat(u.key, { model: "test-embed" }), 400, "wrong_model_kind", "invalid_request_error", "model");
    const res = await api("/embeddings", u.key, { method: "POST", json: { model: "test-echo", input: "hi" } });
    await expectError(res, 400, "wrong_model_kind", "invalid_request_error", "model");
  });

  it("none of the rejected requests reserved, charged or logged anything", async () => {
    const s = await drained(u.userId);
    expect(s).toMatchObject({ balanceNano: CREDITS_NANO, holdsNano: 0, inFlight: 0 });
    expect(await usageRows(u.userId)).toHaveLength(0);
  });
});

describe("400 invalid embeddings body", () => {
  it("missing input → 400, param input", async () => {
    const res = await api("/embeddings", u.key, { method: "POST", json: { model: "test-embed" } });
    await expectError(res, 400, "invalid_request", "invalid_request_error", "input");
  });

  it("empty input list, bad dimensions → 400 naming the field; an unknown field is passed on", async () => {
    const post = (json: unknown) => api("/embeddings", u.key, { method: "POST", json });
    await expectError(await post({ model: "test-embed", input: [] }), 400, "invalid_request", "invalid_request_error", "input");
    const payer = await createUser("1.00");
    const passed = await api("/embeddings", payer.key, { method: "POST", json: { model: "test-embed", input: "x", bogus: 1 } });
    expect(passed.status).toBe(200);
    await expectError(await post({ model: "test-embed", input: "x", dimensions: 0 }), 400, "invalid_request", "invalid_request_error", "dimensions");
  });
});

describe("404", () => {
  it("unknown model → 404 model_not_found, param model (chat and embeddings)", async () => {
    await expectError(await chat(u.key, { model: "no-such-model-xyz" }), 404, "model_not_found", "invalid_request_error", "model");
    const res = await api("/embeddings", u.key, { method: "POST", json: { model: "no-such-embed", input: "x" } });
    await expectError(res, 404, "model_not_found", "invalid_request_error", "model");
  });

  it("GET /models/<unknown> → 404 model_not_found, param model", async () => {
    await expectError(await api("/models/no-such-model", null), 404, "model_not_found", "invalid_request_error", "model");
  });

  it("unknown route → 404 in OpenAI shape (under /api/v1 with a key, /v1, and at the top level)", async () => {
    await expectError(await api("/does-not-exist", u.key), 404, "not_found", "not_found_error", null);
    await expectError(await SELF.fetch(`${BASE}/v1/nothing/here`, { headers: { authorization: `Bearer ${u.key}` } }), 404, "not_found", "not_found_error", null);
    await expectError(await SELF.fetch(`${BASE}/no-such-page`), 404, "not_found", "not_found_error", null);
  });

  it("GET /generation for an unknown id → 404 generation_not_found, param id", async () => {
    await expectError(await api("/generation?id=gen-nope", u.key), 404, "generation_not_found", "not_found_error", "id");
    await expectError(await api("/generation", u.key), 400, "invalid_request", "invalid_request_error", "id");
  });
});

describe("413", () => {
  it("a body over 5 MiB (default MAX_BODY_BYTES) → 413 request_too_large, nothing reserved", async () => {
    const big = "x".repeat(5 * 1024 * 1024 + 1);
    const res = await rawPost("/chat/completions", u.key, JSON.stringify({ model: "test-echo", messages: [{ role: "user", content: big }] }));
    await expectError(res, 413, "request_too_large", "request_too_large", null);
    const s = await drained(u.userId);
    expect(s).toMatchObject({ balanceNano: CREDITS_NANO, holdsNano: 0, inFlight: 0 });
  });

  it("a streamed (chunked, no content-length) body over 5 MiB → 413 request_too_large", async () => {
    const enc = new TextEncoder();
    const mib = enc.encode("x".repeat(1024 * 1024));
    let i = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (i === 0) c.enqueue(enc.encode('{"model":"test-echo","messages":[{"role":"user","content":"'));
        else if (i <= 6) c.enqueue(mib); // 6 MiB of text
        else { c.enqueue(enc.encode('"}]}')); c.close(); }
        i++;
      },
    });
    const res = await SELF.fetch(`${BASE}/api/v1/chat/completions`, {
      method: "POST", headers: { authorization: `Bearer ${u.key}`, "content-type": "application/json" }, body, duplex: "half",
    } as RequestInit);
    await expectError(res, 413, "request_too_large", "request_too_large", null);
  });
});

describe("no input ever produces a 500", () => {
  const bodies: Array<[string, BodyInit, string | null]> = [
    ["null", "null", "application/json"],
    ["array", "[]", "application/json"],
    ["number", "123", "application/json"],
    ["string", '"hello"', "application/json"],
    ["empty", "", "application/json"],
    ["model number", JSON.stringify({ model: 123, messages: [{ role: "user", content: "x" }] }), "application/json"],
    ["messages string", JSON.stringify({ model: "test-echo", messages: "hi" }), "application/json"],
    ["messages [null]", JSON.stringify({ model: "test-echo", messages: [null] }), "application/json"],
    ["content object", JSON.stringify({ model: "test-echo", messages: [{ role: "user", content: { a: 1 } }] }), "application/json"],
    ["content part unknown type", JSON.stringify({ model: "test-echo", messages: [{ role: "user", content: [{ type: "video" }] }] }), "application/json"],
    ["n 2", JSON.stringify({ model: "test-echo", messages: [{ role: "user", content: "x" }], n: 2 }), "application/json"],
    ["tools wrong", JSON.stringify({ model: "test-echo", messages: [{ role: "user", content: "x" }], tools: [{ type: "x" }] }), "application/json"],
    ["deep nesting", `{"model":"test-echo","messages":${"[".repeat(5000)}${"]".repeat(5000)}}`, "application/json"],
    // Issue 13: "__proto__" / "constructor" are well-formed unknown fields, passed through (see the test below).
    ["__proto__ with a bad model", '{"__proto__":{"admin":true},"model":"","messages":[{"role":"user","content":"x"}]}', "application/json"],
    ["model path traversal", JSON.stringify({ model: "../../etc/passwd", messages: [{ role: "user", content: "x" }] }), "application/json"],
    ["model 'openai/'", JSON.stringify({ model: "openai/", messages: [{ role: "user", content: "x" }] }), "application/json"],
    ["model too long", JSON.stringify({ model: "m".repeat(300), messages: [{ role: "user", content: "x" }] }), "application/json"],
    ["invalid utf-8", new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), "application/json"],
    ["json with charset", JSON.stringify({ model: "nope", messages: [{ role: "user", content: "x" }] }), "application/json; charset=utf-8"],
    ["multipart", "--x\r\n\r\n--x--", "multipart/form-data; boundary=x"],
  ];
  for (const [name, body, ct] of bodies) {
    it(`chat body: ${name} → a 4xx in OpenAI shape`, async () => {
      const res = await rawPost("/chat/completions", u.key, body, ct);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      const b = (await res.json()) as ErrorBody;
      expect(typeof b.error.code).toBe("string");
      expect(typeof b.error.type).toBe("string");
      expect(b.error.param === null || typeof b.error.param === "string").toBe(true);
    });
  }

  it("chat body: __proto__ and constructor fields are plain unknown fields: passed through, no 500, no prototype change", async () => {
    const payer = await createUser("1.00");
    for (const body of ['{"__proto__":{"admin":true},"model":"test-echo","messages":[{"role":"user","content":"x"}]}', JSON.stringify({ model: "test-echo", messages: [{ role: "user", content: "x" }], constructor: 1 })]) {
      const res = await rawPost("/chat/completions", payer.key, body, "application/json");
      expect(res.status).toBe(200);
    }
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it("operator credits beyond the integer-nUSD range → a 4xx, not a 500 (amount alone, and a balance that would overflow)", async () => {
    const { userId } = await createUser("1.00");
    // 9,999,999 USD = 9,999,999,000,000,000 nUSD > Number.MAX_SAFE_INTEGER (9,007,199,254,740,991);
    // also above the documented per-account maximum of 1,000,000 USD (MAX_BALANCE_NANO).
    const res = await admin(`/users/${userId}/credits`, { method: "POST", json: { amount_usd: "9999999" } });
    await expectError(res, 400, "invalid_amount", "invalid_request_error", "amount_usd");
    // Each of these is allowed alone, but together they exceed the maximum balance.
    expect((await admin(`/users/${userId}/credits`, { method: "POST", json: { amount_usd: "600000" } })).status).toBe(201);
    const second = await admin(`/users/${userId}/credits`, { method: "POST", json: { amount_usd: "600000" } });
    await expectError(second, 400, "balance_limit_exceeded", "invalid_request_error", "amount_usd");
    expect((await drained(userId)).balanceNano).toBe(600_001_000_000_000); // 1.00 + 600,000.00 USD
  });

  it("odd methods, paths and auth headers → never 500", async () => {
    const probes: Array<[string, RequestInit]> = [
      ["/api/v1/chat/completions", { method: "GET", headers: { authorization: `Bearer ${u.key}` } }],
      ["/api/v1/chat/completions", { method: "PUT", headers: { authorization: `Bearer ${u.key}`, "content-type": "application/json" }, body: "{}" }],
      ["/api/v1/chat/completions", { method: "DELETE", headers: { authorization: `Bearer ${u.key}` } }],
      ["/api/v1/chat/completions", { method: "POST", headers: { authorization: "Basic dXNlcjpwYXNz" }, body: "{}" }],
      ["/api/v1/chat/completions", { method: "POST", headers: { authorization: "Bearer " }, body: "{}" }],
      ["/api/v1/chat/completions", { method: "POST", headers: { authorization: `Bearer ${"a".repeat(10_000)}` }, body: "{}" }],
      ["/api/v1/models/%ZZ", { method: "GET" }],
      ["/api/v1/models/" + "a".repeat(300), { method: "GET" }],
      ["/api/v1/generation?id=" + "a".repeat(100), { method: "GET", headers: { authorization: `Bearer ${u.key}` } }],
      ["/api/v1/credits", { method: "POST", headers: { authorization: `Bearer ${u.key}`, "content-type": "application/json" }, body: "{}" }],
      ["/api/v1/embeddings", { method: "POST", headers: { authorization: `Bearer ${u.key}`, "content-type": "application/json" }, body: '{"model":"test-embed","input":[[-1]]}' }],
    ];
    for (const [path, init] of probes) {
      const res = await SELF.fetch(`${BASE}${path}`, init);
      const text = await res.text();
      expect(res.status, `${init.method} ${path.slice(0, 60)}: ${text.slice(0, 200)}`).toBeLessThan(500);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(JSON.parse(text)).toHaveProperty("error.code");
    }
  });
});
