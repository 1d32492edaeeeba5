import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { account, admin, api, chat, createUser } from "../helpers/gateway";
import { sessionFor } from "../helpers/session";
import { login, PASSWORD, register } from "./helpers";

const code = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

async function auditRows(userId: string) {
  const { results } = await env.DB.prepare("SELECT actor, action, detail FROM audit_log WHERE target_user_id = ? AND action LIKE 'user.%suspend' ORDER BY created_at, id")
    .bind(userId).all<{ actor: string; action: string; detail: string }>();
  return results;
}

describe("operator suspension", () => {
  it("suspend: keys get 403 account_suspended on every /v1 route, sessions are refused; unsuspend restores both; both audited", async () => {
    const u = await createUser("1.00");
    const session = await sessionFor(u.userId);
    expect((await session.fetch("/api/me/profile")).status).toBe(200);

    const s = await admin(`/users/${u.userId}/suspend`, { method: "POST", json: { reason: "abuse report 42" } });
    expect(s.status).toBe(200);
    expect(await s.json()).toEqual({ id: u.userId, status: "suspended" });

    for (const res of [await chat(u.key, { model: "demo" }), await api("/credits", u.key), await api("/key", u.key)]) {
      expect(res.status).toBe(403);
      expect(await code(res)).toBe("account_suspended");
    }
    const refused = await session.fetch("/api/me/profile");
    expect([401, 403]).toContain(refused.status);
    expect((await admin(`/users/${u.userId}`)).status).toBe(200);
    expect(((await (await admin(`/users/${u.userId}`)).json()) as { status: string }).status).toBe("suspended");

    const un = await admin(`/users/${u.userId}/unsuspend`, { method: "POST", json: {} });
    expect(await un.json()).toEqual({ id: u.userId, status: "active" });
    expect((await chat(u.key, { model: "demo" })).status).toBe(200);
    expect((await api("/credits", u.key)).status).toBe(200);
    expect((await (await sessionFor(u.userId)).fetch("/api/me/profile")).status).toBe(200);

    const rows = await auditRows(u.userId);
    expect(rows.map((r) => [r.actor, r.action])).toEqual([["operator-token", "user.suspend"], ["operator-token", "user.unsuspend"]]);
    expect(JSON.parse(rows[0]!.detail)).toEqual({ before: "active", after: "suspended", reason: "abuse report 42" });
  });

  it("a suspended user's right password gets 403 account_suspended, and no session cookie", async () => {
    const r = await register();
    expect((await admin(`/users/${r.userId}/suspend`, { method: "POST", json: {} })).status).toBe(200);
    const res = await login(r.email, PASSWORD, "198.51.100.90");
    expect(res.status).toBe(403);
    expect(await code(res)).toBe("account_suspended");
    expect(res.headers.getSetCookie().some((c) => c.includes("session=") && !c.includes("Max-Age=0"))).toBe(false);
    // Lifting the suspension of a never-verified account gives back "unverified", not "active".
    expect(await (await admin(`/users/${r.userId}/unsuspend`, { method: "POST", json: {} })).json()).toEqual({ id: r.userId, status: "unverified" });
  });

  it("a deleted account cannot be suspended or unsuspended (409)", async () => {
    const u = await createUser("0");
    expect((await admin(`/users/${u.userId}`, { method: "DELETE" })).status).toBe(200);
    expect((await admin(`/users/${u.userId}/suspend`, { method: "POST", json: {} })).status).toBe(409);
    expect((await account(u.userId).summary()).status).toBe("deleted");
  });
});

describe("unverified accounts on the read-only /v1 routes", () => {
  it("an unverified account's key cannot read /api/v1/credits or /api/v1/key (403 email_not_verified, as on chat)", async () => {
    const r = await register();
    const k = await admin(`/users/${r.userId}/keys`, { method: "POST", json: { name: "k" } });
    expect(k.status).toBe(201);
    const { key } = (await k.json()) as { key: string };
    for (const res of [await api("/credits", key), await api("/key", key), await chat(key, { model: "demo" })]) {
      expect(res.status).toBe(403);
      expect(await code(res)).toBe("email_not_verified");
    }
  });
});
