import { createExecutionContext, env, SELF, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { sealState } from "../../src/auth/oauth/state";
import { issueSession } from "../../src/auth/session";
import { createToken } from "../../src/auth/tokens";
import type { Env } from "../../src/env";
import { account, admin, BASE } from "../helpers/gateway";
import { SESSION_COOKIE, sessionClient } from "../helpers/session";
import { anon, login, PASSWORD, setCookies, userRow } from "./helpers";
import { authorize, callback, consent, expectRefused, expectSignedIn, fresh, landing, links, OAUTH_COOKIE, signIn, start, TERMS, userByEmail, type Identity } from "./oauth-flow";

async function adminUser(email: string): Promise<string> {
  const res = await admin("/users", { method: "POST", json: { email } });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** One Google flow up to the callback, with `identity`; returns the callback response. */
async function googleCallback(identity: Identity): Promise<Response> {
  return signIn("google", identity, TERMS);
}

describe("state and cookie", () => {
  it("a state that does not match the cookie's is refused, and so is a missing cookie", async () => {
    const who = fresh("st");
    await adminUser(who.email);
    const s = await start("google");
    const { code } = await consent(s.location, who);
    expectRefused(await callback("google", { code, state: "A".repeat(43) }, s.cookie), "/signin?error=invalid_state");
    expectRefused(await callback("google", { code }, s.cookie), "/signin?error=invalid_state");
    const other = await start("google");
    const { code: code2, state: state2 } = await consent(other.location, who);
    expectRefused(await callback("google", { code: code2, state: state2 }), "/signin?error=invalid_state");
    const failures = await env.DB.prepare("SELECT COUNT(*) AS n FROM security_events WHERE kind = 'oauth_sign_in' AND outcome = 'failure' AND detail = 'google:invalid_state'").first<{ n: number }>();
    expect(failures!.n).toBeGreaterThanOrEqual(3);
  });

  it("a forged, re-purposed, expired or other-provider oauth cookie is refused", async () => {
    const who = fresh("ck");
    await adminUser(who.email);
    const s = await start("google");
    const { code, state } = await consent(s.location, who);
    // Garbage, and a genuine session token (signed with the same secret) in the oauth cookie's place.
    expectRefused(await callback("google", { code, state }, `${OAUTH_COOKIE}=eyJhbGciOiJub25lIn0.e30.`), "/signin?error=invalid_state");
    const { token } = await issueSession(env, "u00000000000000000000", 0);
    expectRefused(await callback("google", { code, state }, `${OAUTH_COOKIE}=${token}`), "/signin?error=invalid_state");
    // A correctly sealed state whose 10 minutes are over.
    const old = await sealState(env, { provider: "google", state, verifier: "v".repeat(43), nonce: "n", redirect: "/", terms: false }, Date.now() - 11 * 60_000);
    expectRefused(await callback("google", { code, state }, `${OAUTH_COOKIE}=${old}`), "/signin?error=invalid_state");
    // A GitHub flow's cookie and state, presented at Google's callback.
    const gh = await start("github");
    expectRefused(await callback("google", { code, state: gh.location.searchParams.get("state")! }, gh.cookie), "/signin?error=invalid_state");
  });

  it("a provider error (the user declined) ends at /signin without echoing the provider's text", async () => {
    const s = await start("github");
    const state = s.location.searchParams.get("state")!;
    expectRefused(await callback("github", { error: "access_denied", state }, s.cookie), "/signin?error=access_denied");
    expectRefused(await callback("github", { error: "<script>x</script>", state }, s.cookie), "/signin?error=provider_error");
  });
});

describe("PKCE and redirect URI", () => {
  it("a code redeemed with another flow's verifier is rejected by the provider: no session", async () => {
    const who = fresh("pkce");
    const userId = await adminUser(who.email);
    const first = await start("google");
    const { code } = await consent(first.location, who);
    const second = await start("google");
    const state2 = second.location.searchParams.get("state")!;
    expectRefused(await callback("google", { code, state: state2 }, second.cookie), "/signin?error=token_exchange_failed");
    expect(await links(userId)).toEqual([]);

    const gh1 = await start("github");
    const gh = await consent(gh1.location, who);
    const gh2 = await start("github");
    expectRefused(await callback("github", { code: gh.code, state: gh2.location.searchParams.get("state")! }, gh2.cookie), "/signin?error=token_exchange_failed");
    expect(await links(userId)).toEqual([]);
  });

  it("the redirect URI must match exactly: a code issued for another URI is not exchanged", async () => {
    const who = fresh("ruri");
    const userId = await adminUser(who.email);
    const s = await start("google");
    const exact = s.location.searchParams.get("redirect_uri")!;
    // The stand-in accepts the registered path with an extra parameter at authorize, and binds the code to it.
    const { code, state } = await consent(s.location, who, (u) => u.searchParams.set("redirect_uri", `${exact}?x=1`));
    expectRefused(await callback("google", { code, state }, s.cookie), "/signin?error=token_exchange_failed");
    expect(await links(userId)).toEqual([]);
    // An unregistered redirect URI gets no code at all.
    const evil = await authorize(s.location, who, (u) => u.searchParams.set("redirect_uri", "https://evil.test/api/auth/oauth/x/callback"));
    expect(evil.status).toBe(400);
  });

  it("open redirects end at /: absolute, scheme-relative and backslash paths", async () => {
    for (const target of ["https://evil.test/", "//evil.test/x", "/\\evil.test", "javascript:alert(1)", "%2F%2Fevil.test"]) {
      const who = fresh("redir");
      await adminUser(who.email);
      const res = await signIn("github", who, `redirect=${encodeURIComponent(target)}`);
      expect(res.headers.get("location")).toBe(`${BASE}/`);
    }
  });
});

describe("identity checks", () => {
  it("an unverified Google email does not link and creates nothing", async () => {
    const who = fresh("unv");
    const userId = await adminUser(who.email);
    expectRefused(await googleCallback({ ...who, email_verified: false }), "/signin?error=email_not_verified");
    expect(await links(userId)).toEqual([]);
    const nobody = fresh("unv-new");
    expectRefused(await googleCallback({ ...nobody, email_verified: false }), "/signin?error=email_not_verified");
    expect(await userByEmail(nobody.email)).toBeNull();
  });

  it("GitHub: a verified secondary address or the public profile email never links", async () => {
    const who = fresh("gh-sec");
    const userId = await adminUser(who.email);
    const mine = fresh("gh-primary").email;
    const res = await signIn("github", {
      sub: who.sub, email: mine, public_email: who.email,
      emails: [{ email: mine, primary: true, verified: false }, { email: who.email, primary: false, verified: true }],
    }, TERMS);
    expectRefused(res, "/signin?error=email_not_verified");
    expect(await links(userId)).toEqual([]);
    expect(await userByEmail(mine)).toBeNull();
  });

  it("an id_token with the wrong audience, issuer or nonce, or signed by an unknown key, is refused", async () => {
    const bad: Partial<Identity>[] = [
      { claims: { aud: "someone-elses-client" } },
      { claims: { azp: "someone-elses-client" } },
      { claims: { iss: "https://accounts.google.com" } },
      { claims: { nonce: "replayed-nonce" } },
      { claims: { exp: Math.floor(Date.now() / 1000) - 600 } },
      { foreign_key: true },
    ];
    for (const b of bad) {
      const who = fresh("idt");
      const userId = await adminUser(who.email);
      expectRefused(await googleCallback({ ...who, email_verified: true, ...b }), "/signin?error=invalid_id_token");
      expect(await links(userId)).toEqual([]);
    }
  });

  it("a link to a deleted account is never used: the identity needs a new sign-up", async () => {
    const who = fresh("del");
    const userId = await adminUser(who.email);
    expect(landing(await signIn("google", { ...who, email_verified: true }))).toBe("/");
    await env.DB.prepare("UPDATE users SET status = 'deleted', email = ?, deleted_at = ? WHERE id = ?").bind(`deleted-${userId}@invalid`, Date.now(), userId).run();
    expectRefused(await signIn("google", { ...who, email_verified: true }), "/signup?error=terms_required&provider=google");
    expect(await links(userId)).toEqual([]);
  });
});

describe("providers", () => {
  it("a disabled provider (no client secret) and an unknown one are 404 on start and callback", async () => {
    const off = { ...env, OAUTH_GITHUB_CLIENT_SECRET: undefined } as Env;
    const app = createApp();
    for (const path of ["/api/auth/oauth/github/start", "/api/auth/oauth/github/callback?code=x&state=y"]) {
      const ctx = createExecutionContext();
      const res = await app.fetch(new Request(`${BASE}${path}`, { redirect: "manual" }), off, ctx);
      await waitOnExecutionContext(ctx);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("provider_not_enabled");
    }
    const unknown = await SELF.fetch(`${BASE}/api/auth/oauth/gitlab/start`, { redirect: "manual" });
    expect(unknown.status).toBe(404);
  });
});

describe("pre-registered victim address (account takeover through linking)", () => {
  it("the pre-registrant can neither request an email change nor use one requested earlier once the owner signs in with Google", async () => {
    const victim = fresh("victim");
    const evil = fresh("attacker").email;
    // 1. The attacker signs up with the victim's address and a password; the address stays unverified.
    const reg = await anon("/api/auth/register", { method: "POST", json: { email: victim.email, password: PASSWORD, name: "Mallory", accept_terms: true, confirm_age_18: true } });
    expect(reg.status).toBe(202);
    const signedIn = await anon("/api/auth/login", { method: "POST", json: { email: victim.email, password: PASSWORD } });
    const userId = ((await signedIn.json()) as { user: { id: string } }).user.id;
    const attacker = sessionClient(userId, victim.email, setCookies(signedIn).get(SESSION_COOKIE)!);

    // 2. Moving the account to an address the attacker reads is refused while the address is unverified.
    const change = await attacker.fetch("/api/me/email", { method: "POST", json: { email: evil, password: PASSWORD } });
    expect(change.status).toBe(403);
    expect(((await change.json()) as { error: { code: string } }).error.code).toBe("email_not_verified");
    expect(await env.DB.prepare("SELECT count(*) AS n FROM email_outbox WHERE to_address = ?").bind(evil).first("n")).toBe(0);
    // A change link obtained anyway (e.g. requested before that check existed), plus other pending tokens.
    const changeToken = await createToken(env, { userId, purpose: "change_email", email: evil });
    const resetToken = await createToken(env, { userId, purpose: "reset_password" });

    // 3. The owner signs in with Google: linked, password removed, the attacker's session ended, every pending token gone.
    const res = await signIn("google", { ...victim, email_verified: true }, TERMS);
    await expectSignedIn(res, userId);
    expect(await links(userId)).toEqual([{ provider: "google", subject: victim.sub }]);
    expect(await userRow(userId)).toMatchObject({ email: victim.email, password_hash: null, email_verified_at: expect.any(Number) });
    expect((await attacker.fetch("/api/auth/session")).status).toBe(401);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM auth_tokens WHERE user_id = ?").bind(userId).first("n")).toBe(0);

    // 4. The attacker's links are dead: the email stays the victim's, the password stays unset.
    const followed = await anon("/api/auth/verify-email", { method: "POST", json: { token: changeToken } });
    expect(followed.status).toBe(400);
    expect(((await followed.json()) as { error: { code: string } }).error.code).toBe("invalid_token");
    const reset = await anon("/api/auth/password-reset/confirm", { method: "POST", json: { token: resetToken, password: "attacker's new passphrase" } });
    expect(reset.status).toBe(400);
    expect(await userRow(userId)).toMatchObject({ email: victim.email, password_hash: null });
    expect(await userByEmail(evil)).toBeNull();
    expect((await login(victim.email, PASSWORD)).status).toBe(401);
    expect((await account(userId).summary()).status).toBe("active");
  });
});
