import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { BASE, account, admin, api, chat, createUser, drained, settled, usageRows } from "../helpers/gateway";
import { expectError } from "../helpers/errors";

// 401 (API key missing, malformed, unknown, revoked, expired; Bearer vs x-api-key) and
// 403 (model allow-list, per-key spend limit).

const BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz";
const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const pick = (alphabet: string, n: number) => Array.from(crypto.getRandomValues(new Uint8Array(n)), (b) => alphabet[b % alphabet.length]).join("");
/** A key in the real format (sk-gw-u<20 base36>-<43 base64url>) that was never issued. */
const wellFormedKey = (userId = `u${pick(BASE36, 20)}`) => `sk-gw-${userId}-${pick(B64URL, 43)}`;

const echo = { model: "test-echo", messages: [{ role: "user", content: "Hi" }] };
/** POST /chat/completions with the key only in x-api-key. */
const chatXApiKey = (key: string, body: Record<string, unknown> = echo) =>
  SELF.fetch(`${BASE}/api/v1/chat/completions`, { method: "POST", headers: { "x-api-key": key, "content-type": "application/json" }, body: JSON.stringify(body) });

describe("401 authentication errors", () => {
  it("missing key → 401 missing_api_key (chat, embeddings, credits; also a non-Bearer Authorization)", async () => {
    await expectError(await api("/chat/completions", null, { method: "POST", json: echo }), 401, "missing_api_key", "authentication_error", null);
    await expectError(await api("/embeddings", null, { method: "POST", json: { model: "test-embed", input: "x" } }), 401, "missing_api_key", "authentication_error", null);
    await expectError(await api("/credits", null), 401, "missing_api_key", "authentication_error", null);
    const basic = await api("/chat/completions", null, { method: "POST", json: echo, headers: { authorization: "Basic dXNlcjpwYXNz" } });
    await expectError(basic, 401, "missing_api_key", "authentication_error", null);
  });

  it("malformed key → 401 invalid_api_key", async () => {
    for (const bad of ["sk-gw-garbage", "sk-123", wellFormedKey().slice(0, -1), wellFormedKey().replace("sk-gw-", "sk-xx-"), `${wellFormedKey()}x`]) {
      await expectError(await chat(bad, { model: "test-echo" }), 401, "invalid_api_key", "authentication_error", null);
    }
  });

  it("well-formed but unknown key → 401 invalid_api_key (unknown user, and a known user with a wrong secret)", async () => {
    const unknown = wellFormedKey();
    expect(unknown).toMatch(/^sk-gw-u[0-9a-z]{20}-[A-Za-z0-9_-]{43}$/);
    await expectError(await chat(unknown, { model: "test-echo" }), 401, "invalid_api_key", "authentication_error", null);
    const { userId } = await createUser("1.00");
    await expectError(await chat(wellFormedKey(userId), { model: "test-echo" }), 401, "invalid_api_key", "authentication_error", null);
    await expectError(await api("/key", wellFormedKey(userId)), 401, "invalid_api_key", "authentication_error", null);
  });

  it("revoked key: the very next request after DELETE /api/admin/keys/:id → 401 api_key_revoked; other keys keep working", async () => {
    const { key, keyId, userId } = await createUser("1.00");
    const other = await admin(`/users/${userId}/keys`, { method: "POST", json: { name: "second" } });
    expect(other.status).toBe(201);
    const { key: otherKey } = (await other.json()) as { key: string };

    expect((await chat(key, { model: "test-echo" })).status).toBe(200);
    const del = await admin(`/keys/${keyId}`, { method: "DELETE" });
    expect(del.status).toBe(200);
    expect(await del.json()).toEqual({ id: keyId, revoked: true });

    await expectError(await chat(key, { model: "test-echo" }), 401, "api_key_revoked", "authentication_error", null);
    await expectError(await chatXApiKey(key), 401, "api_key_revoked", "authentication_error", null);
    await expectError(await api("/credits", key), 401, "api_key_revoked", "authentication_error", null);
    expect((await chat(otherKey, { model: "test-echo" })).status).toBe(200);

    // Only the two admitted echo calls were billed: 2 × (11 in × 1000 + 7 out × 2000) = 50,000 nUSD.
    const s = await drained(userId);
    expect(s).toMatchObject({ balanceNano: 1_000_000_000 - 50_000, holdsNano: 0, inFlight: 0 });
    expect(await usageRows(userId)).toHaveLength(2);
  });

  it("expired key: works until expires_at, then 401 api_key_expired", async () => {
    const expiresAt = Date.now() + 2000;
    const { key, userId } = await createUser("1.00", { expires_at: new Date(expiresAt).toISOString() });
    expect((await chat(key, { model: "test-echo" })).status).toBe(200);
    await new Promise((r) => setTimeout(r, Math.max(0, expiresAt - Date.now()) + 100));
    expect(Date.now()).toBeGreaterThan(expiresAt);
    await expectError(await chat(key, { model: "test-echo" }), 401, "api_key_expired", "authentication_error", null);
    await expectError(await chatXApiKey(key), 401, "api_key_expired", "authentication_error", null);
    await expectError(await api("/key", key), 401, "api_key_expired", "authentication_error", null);
    const s = await drained(userId);
    expect(s).toMatchObject({ balanceNano: 1_000_000_000 - 25_000, holdsNano: 0 }); // one echo: 11 × 1000 + 7 × 2000
  });

  it("x-api-key works the same as Authorization: Bearer", async () => {
    const { key, userId } = await createUser("1.00");
    const res = await chatXApiKey(key);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
    expect(body.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 7 });
    const credits = await SELF.fetch(`${BASE}/api/v1/credits`, { headers: { "x-api-key": key } });
    expect(credits.status).toBe(200);
    await expectError(await chatXApiKey(wellFormedKey()), 401, "invalid_api_key", "authentication_error", null);
    await expectError(await chatXApiKey("sk-gw-garbage"), 401, "invalid_api_key", "authentication_error", null);
    // Billed to the same account as a Bearer call would be: 11 × 1000 + 7 × 2000 = 25,000 nUSD.
    expect(await drained(userId)).toMatchObject({ balanceNano: 1_000_000_000 - 25_000, holdsNano: 0 });
    expect(await usageRows(userId)).toHaveLength(1);
  });
});

describe("403 permission errors", () => {
  it("key with models [gpt-4.1-nano] calling test-echo → 403 model_not_allowed; the allowed model works", async () => {
    const { key, userId } = await createUser("1.00", { models: ["gpt-4.1-nano"] });
    const b = await expectError(await chat(key, { model: "test-echo" }), 403, "model_not_allowed", "permission_error", null);
    expect(b.error.message).toContain("test-echo");
    // The provider/id alias resolves to the same catalog model and is refused too.
    await expectError(await chat(key, { model: "openai/test-echo" }), 403, "model_not_allowed", "permission_error", null);
    expect((await chat(key, { model: "gpt-4.1-nano" })).status).toBe(200);
    const s = await drained(userId);
    // openai-text.json: 16 in × 100 + 363 out × 400 = 146,800 nUSD; the refused calls cost nothing.
    expect(s).toMatchObject({ balanceNano: 1_000_000_000 - 146_800, holdsNano: 0, inFlight: 0 });
    const rows = await usageRows(userId);
    expect(rows.map((r) => r.model)).toEqual(["gpt-4.1-nano"]);
  });

  it("suspended account → 403 account_suspended for every key, nothing reserved", async () => {
    const { key, userId } = await createUser("1.00");
    await account(userId).setStatus("suspended");
    await expectError(await chat(key, { model: "test-echo" }), 403, "account_suspended", "permission_error", null);
    await expectError(await chatXApiKey(key), 403, "account_suspended", "permission_error", null);
    const emb = await api("/embeddings", key, { method: "POST", json: { model: "test-embed", input: "x" } });
    await expectError(emb, 403, "account_suspended", "permission_error", null);
    expect(await drained(userId)).toMatchObject({ balanceNano: 1_000_000_000, holdsNano: 0, inFlight: 0 });
    expect(await usageRows(userId)).toHaveLength(0);
  });

  it("key whose spend limit is used up → 403 key_spend_limit_exceeded (with rate-limit headers), account balance untouched", async () => {
    // Limit 0.00004 USD = 40,000 nUSD. Prompt estimate of [{"role":"user","content":"Hi"}] = ceil(32/3) + 4 = 15 tokens.
    const { key, userId } = await createUser("1.00", { spend_limit_usd: "0.00004" });
    // max_tokens 7: reservation 15 × 1000 + 7 × 2000 = 29,000 ≤ 40,000 → admitted; echo charges 11 × 1000 + 7 × 2000 = 25,000.
    expect((await chat(key, { model: "test-echo", max_tokens: 7 })).status).toBe(200);
    await settled(userId);
    // Any further request needs at least 15,000 + 1 × 2000 = 17,000 > 40,000 − 25,000 = 15,000 left.
    const res = await chat(key, { model: "test-echo", max_tokens: 1 });
    expect(res.headers.get("x-ratelimit-limit-requests")).toMatch(/^\d+$/);
    expect(res.headers.get("x-ratelimit-remaining-requests")).toMatch(/^\d+$/);
    const b = await expectError(res, 403, "key_spend_limit_exceeded", "permission_error", null);
    expect(b.error.message).toContain("0.00004");

    const k = (await (await api("/key", key)).json()) as { data: { usage: number; limit: number; limit_remaining: number } };
    expect(k.data).toMatchObject({ usage: 0.000025, limit: 0.00004, limit_remaining: 0.000015 });
    const s = await drained(userId);
    expect(s).toMatchObject({ balanceNano: 1_000_000_000 - 25_000, holdsNano: 0, inFlight: 0 });
    expect(await usageRows(userId)).toHaveLength(1);
  });
});
