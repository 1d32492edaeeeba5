import { Hono, type Context } from "hono";
import { z } from "zod";
import { appOrigin } from "../../auth/config";
import { setCsrfCookie, setSessionCookie } from "../../auth/cookies";
import { githubIdentity } from "../../auth/oauth/github";
import { googleIdentity } from "../../auth/oauth/google";
import { linkIdentity } from "../../auth/oauth/link";
import { codeChallengeS256, codeVerifier, randomUrlSafe } from "../../auth/oauth/pkce";
import { sameString } from "../../lib/compare";
import { oauthFailure, oauthProvider, redirectUri, type ProviderConfig } from "../../auth/oauth/providers";
import { safeRedirect } from "../../auth/oauth/redirect";
import { clearStateCookie, openState, readStateCookie, sealState, setStateCookie, type OAuthState } from "../../auth/oauth/state";
import { clientInfo, logSecurityEvent } from "../../auth/security-log";
import { issueSession } from "../../auth/session";
import type { BaseEnv, Env } from "../../env";
import { ApiError } from "../../errors";
import { randomToken } from "../../lib/ids";
import { validate } from "../../middleware/validate";

const providerParam = z.object({ provider: z.string().max(32) });

// Browser navigations: a malformed value is treated as absent (the flow then fails with a
// redirect) rather than answered with a JSON error page. Providers add their own parameters
// (scope, authuser, iss...), so unknown ones are ignored.
const opt = (max: number) => z.string().max(max).optional().catch(undefined);
const startQuery = z.object({ redirect: opt(2048), accept_terms: opt(8), confirm_age_18: opt(8) });
const callbackQuery = z.object({ code: opt(2048), state: opt(256), error: opt(128) });


function requireProvider(env: Env, name: string): ProviderConfig {
  const cfg = oauthProvider(env, name);
  // Unknown and switched-off providers look the same: there is nothing at this path.
  if (!cfg) throw new ApiError(404, "provider_not_enabled", `Sign-in with '${name}' is not enabled on this deployment.`, { param: "provider" });
  return cfg;
}

/** The provider's authorization URL for this sign-in. */
async function authorizationUrl(cfg: ProviderConfig, st: OAuthState, callback: string): Promise<string> {
  const url = new URL(cfg.authUrl);
  const p = url.searchParams;
  p.set("client_id", cfg.clientId);
  p.set("redirect_uri", callback);
  p.set("response_type", "code");
  p.set("scope", cfg.scope);
  p.set("state", st.state);
  p.set("code_challenge", await codeChallengeS256(st.verifier));
  p.set("code_challenge_method", "S256");
  if (st.nonce) p.set("nonce", st.nonce);
  return url.toString();
}

/** Checks the returning browser against its state cookie; returns that state. */
async function checkReturn<E extends BaseEnv>(c: Context<E>, cfg: ProviderConfig, q: z.infer<typeof callbackQuery>, sealed: string | undefined): Promise<OAuthState & { code: string }> {
  // The user declined, or the provider failed; its error text is not echoed.
  if (q.error) throw oauthFailure(q.error === "access_denied" ? "access_denied" : "provider_error", "The provider returned an error.");
  const st = sealed ? await openState(c.env, sealed) : null;
  if (!st || st.provider !== cfg.name || !q.state || !sameString(q.state, st.state)) {
    throw oauthFailure("invalid_state", "The sign-in state is missing, expired or does not match this browser.");
  }
  if (!q.code) throw oauthFailure("missing_code", "The provider sent no authorization code.");
  return { ...st, code: q.code };
}

/** Google and GitHub sign-in (authorization code + PKCE S256) at /api/auth/oauth. */
export const oauthRoutes = new Hono<BaseEnv>()
  .get("/oauth/:provider/start", validate("param", providerParam), validate("query", startQuery), async (c) => {
    const cfg = requireProvider(c.env, c.req.valid("param").provider);
    const q = c.req.valid("query");
    const st: OAuthState = {
      provider: cfg.name,
      state: randomUrlSafe(32),
      verifier: codeVerifier(),
      nonce: cfg.name === "google" ? randomUrlSafe(32) : null,
      redirect: safeRedirect(q.redirect),
      // Consent given on the sign-up page; it only matters if this sign-in creates an account.
      terms: q.accept_terms === "1" && q.confirm_age_18 === "1",
    };
    setStateCookie(c, await sealState(c.env, st));
    c.header("cache-control", "no-store");
    return c.redirect(await authorizationUrl(cfg, st, redirectUri(appOrigin(c.env, c.req.url), cfg.name)), 302);
  })
  .get("/oauth/:provider/callback", validate("param", providerParam), validate("query", callbackQuery), async (c) => {
    const cfg = requireProvider(c.env, c.req.valid("param").provider);
    const origin = appOrigin(c.env, c.req.url);
    const sealed = readStateCookie(c);
    clearStateCookie(c); // single use, whatever the outcome
    c.header("cache-control", "no-store");
    const info = clientInfo(c);
    try {
      const st = await checkReturn(c, cfg, c.req.valid("query"), sealed);
      const callback = redirectUri(origin, cfg.name);
      const identity = cfg.name === "google"
        ? await googleIdentity(cfg, st.code, st.verifier, st.nonce ?? "", callback)
        : await githubIdentity(cfg, st.code, st.verifier, callback);
      const account = await linkIdentity(c.env, identity, st.terms);
      const session = await issueSession(c.env, account.userId, account.sessionVersion);
      await logSecurityEvent(c.env, { userId: account.userId, kind: "oauth_sign_in", outcome: "success", ...info, detail: `${cfg.name}:${account.outcome}` });
      // Cookies last: no failure path can leave a session cookie behind.
      setSessionCookie(c, session.token, session.maxAge);
      setCsrfCookie(c, randomToken(32));
      return c.redirect(`${origin}${safeRedirect(st.redirect)}`, 302);
    } catch (err) {
      const code = err instanceof ApiError ? err.code : "server_error";
      if (!(err instanceof ApiError)) console.error(`oauth callback (${cfg.name}) failed: ${(err as Error)?.name}`);
      await logSecurityEvent(c.env, { userId: null, kind: "oauth_sign_in", outcome: "failure", ...info, detail: `${cfg.name}:${code}` }).catch(() => undefined);
      const target = code === "terms_required"
        ? `/signup?error=terms_required&provider=${cfg.name}`
        : `/signin?error=${encodeURIComponent(code)}`;
      return c.redirect(`${origin}${target}`, 302);
    }
  });
