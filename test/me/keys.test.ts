import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { costNano, formatUsd } from "../../src/lib/money";
import { TEST_PRICE } from "../helpers/catalog";
import { admin, chat, settled } from "../helpers/gateway";
import { signedInUser } from "../helpers/session";
import { KEY_FIELDS, listKeys, sessionKey } from "./support";

/** The stand-in's echo always reports 11 prompt / 7 completion tokens: 11 × 1000 + 7 × 2000 = 25,000 nUSD. */
const ECHO_COST = costNano([[11, TEST_PRICE.input], [7, TEST_PRICE.output]]);

async function errorCode(res: Response): Promise<string> {
  return ((await res.json()) as { error: { code: string } }).error.code;
}

async function securityRows(userId: string) {
  const { results } = await env.DB.prepare("SELECT kind, outcome, detail FROM security_events WHERE user_id = ? AND kind LIKE 'key_%' ORDER BY created_at, id")
    .bind(userId).all<{ kind: string; outcome: string; detail: string }>();
  return results;
}

describe("dashboard keys: create, list, change, revoke", () => {
  it("creates a key with every limit; the key is shown once, the list shows prefix, last4, last use, spend and limits", async () => {
    const u = await signedInUser("10.00");
    const expires = new Date(Date.now() + 86_400_000).toISOString();
    const created = await sessionKey(u, {
      name: "ci", rpm: 50, tpm: 100_000, max_concurrency: 3, spend_limit_usd: "1.50", spend_limit_period: "weekly", models: ["test-echo"], expires_at: expires,
    });
    expect(created.key).toMatch(new RegExp(`^sk-gw-${u.userId}-[A-Za-z0-9_-]{43}$`));
    expect(created.warning).toContain("shown only once");
    expect(created).toMatchObject({
      name: "ci", prefix: created.key.slice(0, 12), last4: created.key.slice(-4), rpm: 50, tpm: 100_000, max_concurrency: 3,
      spend_limit_usd: "1.50", spend_limit_period: "weekly", models: ["test-echo"], expires_at: expires, last_used_at: null, revoked_at: null, spent_usd: "0.00",
    });

    expect((await chat(created.key, { model: "test-echo", max_tokens: 7 })).status).toBe(200);
    expect((await chat(created.key, { model: "test-error-400" })).status).toBe(403); // not on the key's model list
    await settled(u.userId);

    const res = await u.fetch("/api/me/keys");
    const text = await res.text();
    expect(text).not.toContain(created.key.slice(-43)); // never shown again
    const [k] = (JSON.parse(text) as { data: Record<string, unknown>[] }).data;
    expect(Object.keys(k!).sort()).toEqual(KEY_FIELDS);
    expect(k).toMatchObject({ id: created.id, prefix: created.prefix, last4: created.last4, spend_limit_period: "weekly", models: ["test-echo"] });
    expect(Date.parse(k!.last_used_at as string)).toBeGreaterThan(Date.parse(created.created_at) - 1);
    expect(k!.spent_usd).toBe(formatUsd(ECHO_COST));
    expect(k!.period_spent_usd).toBe(formatUsd(ECHO_COST));

    const d1 = await env.DB.prepare("SELECT user_id, spend_limit_nano, spend_limit_period, rpm, models FROM api_keys WHERE id = ?").bind(created.id).first();
    expect(d1).toEqual({ user_id: u.userId, spend_limit_nano: 1_500_000_000, spend_limit_period: "weekly", rpm: 50, models: '["test-echo"]' });
  });

  it("rename and limit changes apply to the next request (rpm 1 → the second call is 429), null clears a limit; D1 mirrors the change", async () => {
    const u = await signedInUser("10.00");
    const k = await sessionKey(u);
    const patched = await u.fetch(`/api/me/keys/${k.id}`, { method: "PATCH", json: { name: "renamed", rpm: 1 } });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ id: k.id, name: "renamed", rpm: 1 });
    expect((await chat(k.key, { model: "test-echo" })).status).toBe(200);
    const limited = await chat(k.key, { model: "test-echo" });
    expect(limited.status).toBe(429);
    expect(await errorCode(limited)).toBe("rate_limit_exceeded");

    const cleared = await u.fetch(`/api/me/keys/${k.id}`, { method: "PATCH", json: { rpm: null, spend_limit_usd: "0.50", spend_limit_period: "daily" } });
    expect(await cleared.json()).toMatchObject({ name: "renamed", rpm: null, spend_limit_usd: "0.50", spend_limit_period: "daily" });
    expect((await chat(k.key, { model: "test-echo" })).status).toBe(200);
    const d1 = await env.DB.prepare("SELECT name, rpm, spend_limit_nano, spend_limit_period FROM api_keys WHERE id = ?").bind(k.id).first();
    expect(d1).toEqual({ name: "renamed", rpm: null, spend_limit_nano: 500_000_000, spend_limit_period: "daily" });

    const period = await u.fetch(`/api/me/keys/${k.id}`, { method: "PATCH", json: { spend_limit_period: null } });
    expect(await period.json()).toMatchObject({ spend_limit_period: "total", period_resets_at: null });
  });

  it("bad changes are refused naming the field: unknown field, past expiry, bad limit", async () => {
    const u = await signedInUser("1.00");
    const k = await sessionKey(u);
    for (const [json, param] of [[{ colour: "red" }, "colour"], [{ expires_at: "2020-01-01T00:00:00Z" }, "expires_at"], [{ rpm: 0 }, "rpm"], [{ spend_limit_period: "yearly" }, "spend_limit_period"]] as const) {
      const res = await u.fetch(`/api/me/keys/${k.id}`, { method: "PATCH", json });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { param: string } }).error.param).toBe(param);
    }
    expect((await listKeys(u))[0]).toMatchObject({ name: "k", rpm: null, expires_at: null, spend_limit_period: "total" });
  });

  it("revoke: the very next API call is 401 api_key_revoked; the list shows revoked_at; changing a revoked key is 409; revoking twice answers the same", async () => {
    const u = await signedInUser("10.00");
    const k = await sessionKey(u);
    expect((await chat(k.key, { model: "test-echo" })).status).toBe(200);
    const del = await u.fetch(`/api/me/keys/${k.id}`, { method: "DELETE" });
    expect(await del.json()).toEqual({ id: k.id, revoked: true });
    const after = await chat(k.key, { model: "test-echo" });
    expect(after.status).toBe(401);
    expect(await errorCode(after)).toBe("api_key_revoked");
    expect((await listKeys(u))[0]!.revoked_at).not.toBeNull();
    const row = await env.DB.prepare("SELECT revoked_at FROM api_keys WHERE id = ?").bind(k.id).first<{ revoked_at: number | null }>();
    expect(row!.revoked_at).not.toBeNull();
    expect((await u.fetch(`/api/me/keys/${k.id}`, { method: "PATCH", json: { name: "x" } })).status).toBe(409);
    expect(await (await u.fetch(`/api/me/keys/${k.id}`, { method: "DELETE" })).json()).toEqual({ id: k.id, revoked: true });
    expect((await securityRows(u.userId)).filter((r) => r.kind === "key_revoked")).toHaveLength(1);
  });

  it("another user's key id is answered exactly like an unknown one: 404 key_not_found, the key untouched", async () => {
    const a = await signedInUser("1.00");
    const b = await signedInUser("1.00");
    const ak = await sessionKey(a);
    const unknown = `key_${"0".repeat(22)}`;
    for (const id of [ak.id, unknown]) {
      for (const init of [{ method: "PATCH", json: { name: "x" } }, { method: "DELETE" }]) {
        const res = await b.fetch(`/api/me/keys/${id}`, init);
        expect(res.status).toBe(404);
        expect(await res.json()).toEqual({ error: { message: `No key '${id}'.`, type: "not_found_error", code: "key_not_found", param: "id" } });
      }
    }
    expect((await listKeys(a))[0]).toMatchObject({ id: ak.id, name: "k", revoked_at: null });
    expect(await securityRows(b.userId)).toEqual([]);
  });

  it("an unverified user cannot create keys (403 email_not_verified, nothing stored)", async () => {
    const u = await signedInUser("1.00");
    await env.DB.prepare("UPDATE users SET email_verified_at = NULL WHERE id = ?").bind(u.userId).run();
    const res = await u.fetch("/api/me/keys", { method: "POST", json: { name: "nope" } });
    expect(res.status).toBe(403);
    expect(await errorCode(res)).toBe("email_not_verified");
    expect(await listKeys(u)).toEqual([]);
    const d1 = await env.DB.prepare("SELECT count(*) AS n FROM api_keys WHERE user_id = ?").bind(u.userId).first<{ n: number }>();
    expect(d1!.n).toBe(0);
  });

  it("every create, change and revoke writes a security-log row, readable page by page at /security-log", async () => {
    const u = await signedInUser("1.00");
    const k = await sessionKey(u);
    await u.fetch(`/api/me/keys/${k.id}`, { method: "PATCH", json: { name: "b", tpm: 500 } });
    await u.fetch(`/api/me/keys/${k.id}`, { method: "DELETE" });
    expect(await securityRows(u.userId)).toEqual([
      { kind: "key_created", outcome: "success", detail: k.id },
      { kind: "key_updated", outcome: "success", detail: `${k.id} name,tpm` },
      { kind: "key_revoked", outcome: "success", detail: k.id },
    ]);

    const seen: { id: string; kind: string }[] = [];
    let cursor: string | null = null;
    do {
      const res = await u.fetch(`/api/me/security-log?limit=1${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { data: { id: string; kind: string; outcome: string; ip: string | null; user_agent: string | null; created_at: string }[]; next_cursor: string | null };
      expect(body.data.length).toBeLessThanOrEqual(1);
      for (const e of body.data) expect(Object.keys(e).sort()).toEqual(["created_at", "id", "ip", "kind", "outcome", "user_agent"]);
      seen.push(...body.data);
      cursor = body.next_cursor;
    } while (cursor);
    expect(seen.filter((e) => e.kind.startsWith("key_")).map((e) => e.kind)).toEqual(["key_revoked", "key_updated", "key_created"]);
    expect(new Set(seen.map((e) => e.id)).size).toBe(seen.length);
  });

  it("the operator's key creation shares the same code: same fields, period stored, security row marked 'by operator'", async () => {
    const u = await signedInUser("1.00");
    const res = await admin(`/users/${u.userId}/keys`, { method: "POST", json: { name: "op", spend_limit_usd: "2.00", spend_limit_period: "monthly" } });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual([...KEY_FIELDS, "key", "warning"].sort());
    expect(body).toMatchObject({ name: "op", spend_limit_usd: "2.00", spend_limit_period: "monthly" });
    expect(await securityRows(u.userId)).toEqual([{ kind: "key_created", outcome: "success", detail: `${body.id as string} by operator` }]);
  });
});
