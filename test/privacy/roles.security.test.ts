import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import type { Env } from "../../src/env";
import { admin, BASE, createUser } from "../helpers/gateway";
import { CSRF_COOKIE, SESSION_COOKIE, signedInUser, TEST_CSRF } from "../helpers/session";
import { sessionAged } from "./fixtures";

// The admin role: who may reach /api/admin, and that a session can never be stretched into more.

const code = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;
const role = (id: string) => env.DB.prepare("SELECT role FROM users WHERE id = ?").bind(id).first<string>("role");

describe("admin sessions", () => {
  it("an admin session reads and changes; the actor is the admin's id", async () => {
    const a = await signedInUser("0", { role: "admin" });
    const victim = await createUser("1.00");
    expect((await a.fetch(`/api/admin/users/${victim.userId}`)).status).toBe(200);
    const grant = await a.fetch(`/api/admin/users/${victim.userId}/credits`, { method: "POST", json: { amount_usd: "1.00" } });
    expect(grant.status).toBe(201);
    const { results } = await env.DB.prepare("SELECT actor, action FROM audit_log WHERE target_user_id = ? ORDER BY created_at, id").bind(victim.userId).all();
    // createUser's own grant was the operator token; the admin's read and grant carry the admin's id.
    expect(results.filter((r) => r.actor === a.userId)).toEqual([{ actor: a.userId, action: "user.read" }, { actor: a.userId, action: "credits.grant" }]);
  });

  it("a plain user cannot promote themselves or anyone else", async () => {
    const u = await signedInUser("1.00");
    const res = await u.fetch(`/api/admin/users/${u.userId}/role`, { method: "PATCH", json: { role: "admin" } });
    expect(res.status).toBe(403);
    expect(await role(u.userId)).toBe("user");
  });

  it("a revoked role takes effect on the admin's very next request (the role is read per request)", async () => {
    const a = await signedInUser("0", { role: "admin" });
    expect((await a.fetch("/api/admin/models")).status).toBe(200);
    expect((await admin(`/users/${a.userId}/role`, { method: "PATCH", json: { role: "user" } })).status).toBe(200);
    const res = await a.fetch("/api/admin/models");
    expect(res.status).toBe(403);
    expect(await code(res)).toBe("forbidden");
  });

  it("an admin session from another origin, or with a wrong CSRF token, is refused on changes", async () => {
    const a = await signedInUser("0", { role: "admin" });
    const victim = await createUser("1.00");
    const path = `/api/admin/users/${victim.userId}/credits`;
    const evil = await a.fetch(path, { method: "POST", json: { amount_usd: "5.00" }, headers: { origin: "https://evil.example" } });
    expect(evil.status).toBe(403);
    expect(await code(evil)).toBe("csrf_origin_mismatch");
    const wrong = await a.fetch(path, { method: "POST", json: { amount_usd: "5.00" }, headers: { "x-csrf-token": "x".repeat(TEST_CSRF.length) } });
    expect(await code(wrong)).toBe("csrf_token_invalid");
    const balance = (await (await admin(`/users/${victim.userId}`)).json()) as { balance_usd: string };
    expect(balance.balance_usd).toBe("1.00");
  });

  it("an expired, forged or ended admin session → 401, never the operator API", async () => {
    const a = await signedInUser("0", { role: "admin" });
    const forged = await a.fetch("/api/admin/models", { headers: { cookie: `${SESSION_COOKIE}=eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.; ${CSRF_COOKIE}=${TEST_CSRF}` } });
    expect(forged.status).toBe(401);
    await env.DB.prepare("UPDATE users SET session_version = session_version + 1 WHERE id = ?").bind(a.userId).run();
    expect((await a.fetch("/api/admin/models")).status).toBe(401);
    const b = await signedInUser("0", { role: "admin" });
    await env.DB.prepare("UPDATE users SET status = 'deleted' WHERE id = ?").bind(b.userId).run();
    expect((await b.fetch("/api/admin/models")).status).toBe(401);
  });

  it("an old sign-in is still an admin session (re-authentication is only for deletion)", async () => {
    const a = await signedInUser("0", { role: "admin" });
    const old = await sessionAged(a.userId, a.email, 3600);
    expect((await old.fetch("/api/admin/models")).status).toBe(200);
  });
});

describe("the operator token path", () => {
  it("any Authorization header selects the token path: a user's API key or session does not help", async () => {
    const u = await createUser("1.00");
    const s = await signedInUser("0", { role: "admin" });
    for (const authorization of [`Bearer ${u.key}`, "Bearer ", "Basic YWRtaW46YWRtaW4="]) {
      const res = await s.fetch("/api/admin/models", { headers: { authorization } });
      expect(res.status, authorization).toBe(401);
      expect(await code(res)).toBe("invalid_admin_token");
    }
  });

  it("no credentials at all → 401 invalid_admin_token", async () => {
    const res = await fetchApp(env, "/api/admin/models");
    expect(res.status).toBe(401);
    expect(await code(res)).toBe("invalid_admin_token");
  });

  it("without ADMIN_TOKEN the token path is off (403), while an admin session still works", async () => {
    const off = { ...env, ADMIN_TOKEN: undefined } as Env;
    const res = await fetchApp(off, "/api/admin/models", { authorization: "Bearer test-admin-token" });
    expect(res.status).toBe(403);
    expect(await code(res)).toBe("operator_api_disabled");
    const a = await signedInUser("0", { role: "admin" });
    expect((await fetchApp(off, "/api/admin/models", { cookie: a.cookie })).status).toBe(200);
  });
});

async function fetchApp(e: Env, path: string, headers: Record<string, string> = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await createApp().fetch(new Request(`${BASE}${path}`, { headers }), e, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}
