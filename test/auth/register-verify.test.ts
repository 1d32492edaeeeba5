import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { authConfig } from "../../src/auth/config";
import { account, admin, chat } from "../helpers/gateway";
import { anon, mailedLinks, outbox, PASSWORD, register, tokenFromEmail, uniqueEmail, userRow } from "./helpers";

async function apiKeyFor(userId: string): Promise<string> {
  const res = await admin(`/users/${userId}/keys`, { method: "POST", json: { name: "k" } });
  expect(res.status).toBe(201);
  return ((await res.json()) as { key: string }).key;
}

const verify = (token: string) => anon("/api/auth/verify-email", { method: "POST", json: { token } });

async function errorOf(res: Response) {
  return ((await res.json()) as { error: { code: string; param: string | null } }).error;
}

describe("sign-up and email verification", () => {
  it("register → API refused (email_not_verified) → follow the emailed link → API works", async () => {
    const before = Date.now();
    const { userId, email } = await register({ company: "Acme" });
    const after = Date.now();
    const row = (await userRow(userId))!;
    expect(row).toMatchObject({ email, name: "Ada", company: "Acme", role: "user", email_verified_at: null, terms_version: authConfig(env).termsVersion });
    for (const t of [row.terms_accepted_at, row.age_confirmed_at] as number[]) {
      expect(t).toBeGreaterThanOrEqual(before);
      expect(t).toBeLessThanOrEqual(after);
    }
    expect(String(row.password_hash)).toMatch(/^pbkdf2-sha256\$v1\$100000\$/);
    expect((await account(userId).summary()).status).toBe("unverified");

    const key = await apiKeyFor(userId);
    expect((await admin(`/users/${userId}/credits`, { method: "POST", json: { amount_usd: "1.00", note: "t" } })).status).toBe(201);
    const refused = await chat(key, { model: "test-echo" });
    expect(refused.status).toBe(403);
    expect((await errorOf(refused)).code).toBe("email_not_verified");

    const mails = await outbox(userId, "verify_email");
    expect(mails).toHaveLength(1);
    expect(mails[0]!.to_address).toBe(email);
    const res = await verify(await tokenFromEmail(userId, "verify_email"));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ verified: true });
    expect((await userRow(userId))!.email_verified_at).toEqual(expect.any(Number));
    expect((await account(userId).summary()).status).toBe("active");
    expect((await chat(key, { model: "test-echo" })).status).toBe(200);

    const events = await env.DB.prepare("SELECT kind, outcome FROM security_events WHERE user_id = ? AND kind IN ('register', 'email_verified') ORDER BY created_at").bind(userId).all();
    expect(events.results).toEqual([{ kind: "register", outcome: "success" }, { kind: "email_verified", outcome: "success" }]);
  });

  it("a verification token works once", async () => {
    const { userId } = await register();
    const token = await tokenFromEmail(userId, "verify_email");
    expect((await verify(token)).status).toBe(200);
    const again = await verify(token);
    expect(again.status).toBe(400);
    expect(await errorOf(again)).toMatchObject({ code: "invalid_token", param: "token" });
  });

  it("an expired token is refused and the account stays unverified", async () => {
    const { userId } = await register();
    const token = await tokenFromEmail(userId, "verify_email");
    await env.DB.prepare("UPDATE auth_tokens SET expires_at = ? WHERE user_id = ?").bind(Date.now() - 1, userId).run();
    const res = await verify(token);
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe("invalid_token");
    expect((await userRow(userId))!.email_verified_at).toBeNull();
    expect((await account(userId).summary()).status).toBe("unverified");
  });

  it("the Terms and the 18+ confirmation must be literally true; nothing is created otherwise", async () => {
    const base = { password: PASSWORD, name: "Ada", accept_terms: true, confirm_age_18: true };
    const cases: [Record<string, unknown>, string][] = [
      [{ accept_terms: false }, "accept_terms"],
      [{ confirm_age_18: "true" }, "confirm_age_18"],
      [{ confirm_age_18: undefined }, "confirm_age_18"],
    ];
    for (const [change, param] of cases) {
      const email = uniqueEmail("t");
      const res = await anon("/api/auth/register", { method: "POST", json: { ...base, email, ...change } });
      expect(res.status).toBe(400);
      expect((await errorOf(res)).param).toBe(param);
      expect(await env.DB.prepare("SELECT id FROM users WHERE email = ?").bind(email).first()).toBeNull();
    }
  });

  it("a registered address (whatever its case) gets the same 202 as a free one, no account and no session; its owner is emailed; short passwords are refused", async () => {
    const { userId, email } = await register();
    const dup = await anon("/api/auth/register", { method: "POST", json: { email: email.toUpperCase(), password: PASSWORD, name: "B", accept_terms: true, confirm_age_18: true } });
    const free = uniqueEmail("free");
    const fresh = await anon("/api/auth/register", { method: "POST", json: { email: free, password: PASSWORD, name: "B", accept_terms: true, confirm_age_18: true } });
    expect([dup.status, fresh.status]).toEqual([202, 202]);
    expect(await dup.json()).toEqual({ status: "verification_sent", email });
    expect(await fresh.json()).toEqual({ status: "verification_sent", email: free });
    expect([dup.headers.getSetCookie().length, fresh.headers.getSetCookie().length]).toEqual([0, 0]);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM users WHERE email = ?").bind(email).first("n")).toBe(1);
    expect((await outbox(userId, "address_in_use")).map((r) => [r.to_address, JSON.parse(r.data).attempt])).toEqual([[email, "sign_up"]]);
    const short = await anon("/api/auth/register", { method: "POST", json: { email: uniqueEmail(), password: "123456789", name: "B", accept_terms: true, confirm_age_18: true } });
    expect(short.status).toBe(400);
    expect((await errorOf(short)).param).toBe("password");
  });

  it("resend-verification queues another link (both work until used); a verified account gets none", async () => {
    const { userId, session } = await register();
    expect((await session.fetch("/api/auth/resend-verification", { method: "POST", json: {} })).status).toBe(202);
    expect(await outbox(userId, "verify_email")).toHaveLength(2);
    expect((await verify(await tokenFromEmail(userId, "verify_email"))).status).toBe(200);
    expect((await session.fetch("/api/auth/resend-verification", { method: "POST", json: {} })).status).toBe(202);
    expect(await outbox(userId, "verify_email")).toHaveLength(2);
  });
});

describe("sign-up credit (SIGNUP_CREDIT_USD)", () => {
  it("is granted exactly once even when two links are followed concurrently", async () => {
    const e = env as { SIGNUP_CREDIT_USD?: string };
    const previous = e.SIGNUP_CREDIT_USD;
    e.SIGNUP_CREDIT_USD = "0.50";
    try {
      const { userId, session } = await register();
      await session.fetch("/api/auth/resend-verification", { method: "POST", json: {} });
      const tokens = (await mailedLinks(userId, "verify_email")).map((link) => new URL(link).searchParams.get("token")!);
      expect(tokens).toHaveLength(2);
      // Both distinct tokens are valid: both requests succeed; the DO credits by ref signup:<id> once.
      const results = await Promise.all([verify(tokens[0]!), verify(tokens[1]!), verify(tokens[0]!)]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 200, 400]);
      const grants = (await account(userId).ledger()).filter((l) => l.kind === "grant");
      // 0.50 USD = 500,000,000 nUSD
      expect(grants.map((g) => [g.amountNano, g.ref])).toEqual([[500_000_000, `signup:${userId}`]]);
      expect((await account(userId).summary()).balanceNano).toBe(500_000_000);
    } finally {
      e.SIGNUP_CREDIT_USD = previous;
    }
  });
});
