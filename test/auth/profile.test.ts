import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { SESSION_COOKIE, sessionClient } from "../helpers/session";
import { anon, login, outbox, register, registerVerified, setCookies, tokenFromEmail, uniqueEmail, userRow } from "./helpers";

async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

describe("GET/PATCH /api/me/profile", () => {
  it("shows the user object and updates name and company", async () => {
    const { userId, email, session } = await register({ company: "Acme", locale: "zh-TW" });
    const got = await json<{ user: Record<string, unknown> }>(await session.fetch("/api/me/profile"));
    expect(got.user).toEqual({
      id: userId, email, name: "Ada", company: "Acme", role: "user", email_verified: false,
      created_at: new Date((await userRow(userId))!.created_at as number).toISOString(), locale: "zh-TW", terms_version: expect.any(String),
    });
    const patched = await session.fetch("/api/me/profile", { method: "PATCH", json: { name: "Ada Lovelace", company: "Analytical Engines" } });
    expect(patched.status).toBe(200);
    expect((await json<{ user: Record<string, unknown> }>(patched)).user).toMatchObject({ name: "Ada Lovelace", company: "Analytical Engines" });
    expect(await userRow(userId)).toMatchObject({ name: "Ada Lovelace", company: "Analytical Engines" });

    expect((await session.fetch("/api/me/profile", { method: "PATCH", json: { company: null } })).status).toBe(200);
    expect((await userRow(userId))!.company).toBeNull();
    const bad = await session.fetch("/api/me/profile", { method: "PATCH", json: { email: "x@y.test" } });
    expect(bad.status).toBe(400);
    expect((await userRow(userId))!.email).toBe(email);
  });
});

describe("POST /api/me/email", () => {
  it("changes the address only after the link sent to the NEW address is followed; the old one gets a notice", async () => {
    const { userId, email, password, session } = await registerVerified();
    const next = uniqueEmail("new");
    const res = await session.fetch("/api/me/email", { method: "POST", json: { email: next.toUpperCase(), password } });
    expect(res.status).toBe(202);
    expect((await userRow(userId))!.email).toBe(email);
    const [mail] = await outbox(userId, "change_email");
    expect(mail!.to_address).toBe(next);
    expect((await login(next, password)).status).toBe(401);

    const verified = await anon("/api/auth/verify-email", { method: "POST", json: { token: await tokenFromEmail(userId, "change_email") } });
    expect(verified.status).toBe(200);
    expect(await userRow(userId)).toMatchObject({ email: next, email_verified_at: expect.any(Number) });
    const [notice] = await outbox(userId, "email_changed");
    expect(notice!.to_address).toBe(email);
    expect(JSON.parse(notice!.data)).toEqual({ new_email: next });
    expect((await login(next, password)).status).toBe(200);
    expect((await login(email, password)).status).toBe(401);
    const kinds = await env.DB.prepare("SELECT kind FROM security_events WHERE user_id = ? AND kind LIKE 'email_change%' ORDER BY created_at").bind(userId).all<{ kind: string }>();
    expect(kinds.results.map((k) => k.kind)).toEqual(["email_change_requested", "email_changed"]);
  });

  it("is refused (403 email_not_verified) while the current address is unverified, and sends nothing", async () => {
    const { userId, password, session } = await register();
    const res = await session.fetch("/api/me/email", { method: "POST", json: { email: uniqueEmail("new"), password } });
    expect(res.status).toBe(403);
    expect((await json<{ error: { code: string } }>(res)).error.code).toBe("email_not_verified");
    expect(await outbox(userId, "change_email")).toHaveLength(0);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM auth_tokens WHERE user_id = ? AND purpose = 'change_email'").bind(userId).first("n")).toBe(0);
  });

  it("needs the current password; an address in use answers like a free one, sends no change link and tells its owner", async () => {
    const { userId, session } = await registerVerified();
    const other = await register();
    const wrong = await session.fetch("/api/me/email", { method: "POST", json: { email: uniqueEmail(), password: "not my password" } });
    expect(wrong.status).toBe(401);
    expect((await json<{ error: { code: string } }>(wrong)).error.code).toBe("invalid_password");
    const missing = await session.fetch("/api/me/email", { method: "POST", json: { email: uniqueEmail() } });
    expect((await json<{ error: { code: string } }>(missing)).error.code).toBe("reauth_required");
    const taken = await session.fetch("/api/me/email", { method: "POST", json: { email: other.email, password: other.password } });
    expect(taken.status).toBe(202); // as for a free address: no enumeration
    expect(await outbox(userId, "change_email")).toHaveLength(0);
    expect((await outbox(other.userId, "address_in_use")).map((r) => [r.to_address, JSON.parse(r.data).attempt])).toEqual([[other.email, "email_change"]]);
  });
});

describe("POST /api/me/password", () => {
  it("checks the current password, ends the other sessions and keeps this one signed in", async () => {
    const { userId, email, password, session } = await register();
    const otherDevice = sessionClient(userId, email, setCookies(await login(email, password)).get(SESSION_COOKIE)!);
    const wrong = await session.fetch("/api/me/password", { method: "POST", json: { current_password: "wrong wrong", new_password: "fresh passphrase 99" } });
    expect(wrong.status).toBe(401);

    const res = await session.fetch("/api/me/password", { method: "POST", json: { current_password: password, new_password: "fresh passphrase 99" } });
    expect(res.status).toBe(204);
    const renewed = sessionClient(userId, email, setCookies(res).get(SESSION_COOKIE)!);
    expect((await renewed.fetch("/api/me/profile")).status).toBe(200);
    expect((await session.fetch("/api/me/profile")).status).toBe(401);
    expect((await otherDevice.fetch("/api/me/profile")).status).toBe(401);
    expect((await login(email, "fresh passphrase 99")).status).toBe(200);
    expect((await login(email, password)).status).toBe(401);
  });
});
