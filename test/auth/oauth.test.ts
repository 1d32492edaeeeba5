import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { account, admin, BASE } from "../helpers/gateway";
import {
  consent, callback, expectRefused, expectSessionWorks, expectSignedIn, fresh, landing, links, OAUTH_COOKIE, signIn, start, TERMS, userByEmail,
} from "./oauth-flow";

async function adminUser(email: string): Promise<string> {
  const res = await admin("/users", { method: "POST", json: { email } });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

describe("OAuth start", () => {
  it("google: 302 to the provider with client_id, the exact redirect URI, PKCE S256, state and nonce", async () => {
    const { location, rawCookie } = await start("google");
    expect(`${location.origin}${location.pathname}`).toBe(env.OAUTH_GOOGLE_AUTH_URL);
    const p = location.searchParams;
    expect(p.get("client_id")).toBe(env.OAUTH_GOOGLE_CLIENT_ID);
    expect(p.get("redirect_uri")).toBe(`${BASE}/api/auth/oauth/google/callback`);
    expect(p.get("response_type")).toBe("code");
    expect(p.get("scope")).toBe("openid email profile");
    expect(p.get("code_challenge_method")).toBe("S256");
    // base64url of a SHA-256 digest: 32 bytes → 43 characters.
    expect(p.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(p.get("state")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(p.get("nonce")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The verifier never leaves the gateway in clear: not in the URL, not readable in the cookie.
    expect(rawCookie).toMatch(new RegExp(`^${OAUTH_COOKIE}=`));
    expect(rawCookie).toMatch(/Max-Age=600/);
    expect(rawCookie).toMatch(/Path=\//);
    expect(rawCookie).toMatch(/HttpOnly/);
    expect(rawCookie).toMatch(/Secure/);
    expect(rawCookie).toMatch(/SameSite=Lax/);
    expect(rawCookie).not.toContain(p.get("state")!);
  });

  it("github: the GitHub scopes and no nonce; each start gets a new state and challenge", async () => {
    const a = await start("github");
    const b = await start("github");
    const p = a.location.searchParams;
    expect(`${a.location.origin}${a.location.pathname}`).toBe(env.OAUTH_GITHUB_AUTH_URL);
    expect(p.get("client_id")).toBe(env.OAUTH_GITHUB_CLIENT_ID);
    expect(p.get("redirect_uri")).toBe(`${BASE}/api/auth/oauth/github/callback`);
    expect(p.get("scope")).toBe("read:user user:email");
    expect(p.get("code_challenge_method")).toBe("S256");
    expect(p.has("nonce")).toBe(false);
    expect(b.location.searchParams.get("state")).not.toBe(p.get("state"));
    expect(b.location.searchParams.get("code_challenge")).not.toBe(p.get("code_challenge"));
  });
});

describe("Google sign-in", () => {
  it("a verified Google email links to the existing account: same user, oauth_accounts row, a working session", async () => {
    const who = fresh("g-link");
    const userId = await adminUser(who.email);
    const res = await signIn("google", { ...who, email_verified: true, name: "Linked" }, "redirect=/dashboard/keys?tab=new");
    expect(landing(res)).toBe("/dashboard/keys?tab=new");
    const s = await expectSignedIn(res, userId);
    expect(await links(userId)).toEqual([{ provider: "google", subject: who.sub }]);
    await expectSessionWorks(s.cookie, userId);
    const ev = await env.DB.prepare("SELECT outcome, detail FROM security_events WHERE user_id = ? AND kind = 'oauth_sign_in'").bind(userId).all();
    expect(ev.results).toEqual([{ outcome: "success", detail: "google:linked" }]);

    // The next sign-in finds the identity itself (even with another email at Google now).
    const again = await signIn("google", { sub: who.sub, email: fresh("g-moved").email, email_verified: true });
    await expectSignedIn(again, userId);
    expect(await links(userId)).toHaveLength(1);
  });

  it("linking an account whose email was never verified removes its password and ends its sessions", async () => {
    const who = fresh("g-preclaimed");
    const userId = await adminUser(who.email);
    // As if someone had registered this address with a password and never proved owning it.
    await env.DB.prepare("UPDATE users SET email_verified_at = NULL, password_hash = 'v1$x', session_version = 3 WHERE id = ?").bind(userId).run();
    const res = await signIn("google", { ...who, email_verified: true });
    const s = await expectSignedIn(res, userId);
    const row = await userByEmail(who.email);
    expect(row!.password_hash).toBeNull();
    expect(row!.email_verified_at).toEqual(expect.any(Number));
    expect(row!.session_version).toBe(4);
    await expectSessionWorks(s.cookie, userId);
  });

  it("a new user is created only with the Terms accepted and the age confirmed", async () => {
    const who = fresh("g-new");
    const refused = await signIn("google", { ...who, email_verified: true });
    expectRefused(refused, "/signup?error=terms_required&provider=google");
    expect(await userByEmail(who.email)).toBeNull();

    const onlyTerms = await signIn("google", { ...who, email_verified: true }, "accept_terms=1");
    expectRefused(onlyTerms, "/signup?error=terms_required&provider=google");

    const res = await signIn("google", { ...who, email_verified: true, name: "New Person" }, `${TERMS}&redirect=/welcome`);
    expect(landing(res)).toBe("/welcome");
    const s = await expectSignedIn(res);
    const row = await userByEmail(who.email);
    expect(row).toMatchObject({ id: s.userId, name: "New Person", role: "user", status: "active", password_hash: null, terms_version: "2026-11-01" });
    expect(row!.email_verified_at).toEqual(expect.any(Number));
    expect(row!.terms_accepted_at).toEqual(expect.any(Number));
    expect(row!.age_confirmed_at).toEqual(expect.any(Number));
    expect(await links(s.userId)).toEqual([{ provider: "google", subject: who.sub }]);
    expect((await account(s.userId).summary()).status).toBe("active");
    await expectSessionWorks(s.cookie, s.userId);
  });
});

describe("GitHub sign-in", () => {
  it("the primary verified email links to the existing account", async () => {
    const who = fresh("gh-link");
    const userId = await adminUser(who.email);
    const other = fresh("gh-other").email;
    const res = await signIn("github", {
      sub: who.sub, email: who.email, name: "Octo",
      emails: [{ email: other, primary: false, verified: true }, { email: who.email.toUpperCase(), primary: true, verified: true }],
    });
    expect(landing(res)).toBe("/");
    const s = await expectSignedIn(res, userId);
    expect(await links(userId)).toEqual([{ provider: "github", subject: who.sub }]);
    await expectSessionWorks(s.cookie, userId);
  });

  it("creates a new account with the Terms accepted; one account may carry both providers", async () => {
    const who = fresh("gh-new");
    const res = await signIn("github", { ...who, name: "Hubber" }, TERMS);
    const s = await expectSignedIn(res);
    expect(await userByEmail(who.email)).toMatchObject({ id: s.userId, name: "Hubber", status: "active" });
    const google = await signIn("google", { sub: `g${who.sub}`, email: who.email, email_verified: true });
    await expectSignedIn(google, s.userId);
    expect(await links(s.userId)).toEqual([{ provider: "github", subject: who.sub }, { provider: "google", subject: `g${who.sub}` }]);
  });

  it("the code is single use: replaying a callback signs nobody in", async () => {
    const who = fresh("gh-replay");
    await adminUser(who.email);
    const s = await start("github");
    const { code, state } = await consent(s.location, { ...who });
    await expectSignedIn(await callback("github", { code, state }, s.cookie));
    expectRefused(await callback("github", { code, state }, s.cookie), "/signin?error=token_exchange_failed");
  });
});
