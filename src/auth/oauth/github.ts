import { oauthFailure, PROVIDER_TIMEOUT_MS, type GithubConfig, type ProviderIdentity } from "./providers";

/** GitHub's REST API refuses requests without a User-Agent. */
const API_HEADERS = { accept: "application/vnd.github+json", "user-agent": "edge-llm-gateway", "x-github-api-version": "2022-11-28" };

async function call(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS) });
  } catch {
    throw oauthFailure("provider_unavailable", "GitHub did not answer.");
  }
}

/**
 * Authorization-code exchange with the PKCE verifier. GitHub answers errors such as
 * `bad_verification_code` with status 200 and an `error` field, so the token itself is checked.
 */
async function exchange(cfg: GithubConfig, code: string, verifier: string, redirectUri: string): Promise<string> {
  const res = await call(cfg.tokenUrl, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json", "user-agent": API_HEADERS["user-agent"] },
    body: new URLSearchParams({ client_id: cfg.clientId, client_secret: cfg.clientSecret, code, code_verifier: verifier, redirect_uri: redirectUri }),
  });
  const body = (await res.json().catch(() => null)) as { access_token?: unknown } | null;
  if (!res.ok || typeof body?.access_token !== "string" || body.access_token === "") {
    throw oauthFailure("token_exchange_failed", "GitHub did not exchange the code for a token.");
  }
  return body.access_token;
}

async function getJson(cfg: GithubConfig, path: string, token: string): Promise<unknown> {
  const res = await call(`${cfg.apiUrl}${path}`, { headers: { ...API_HEADERS, authorization: `Bearer ${token}` } });
  if (!res.ok) throw oauthFailure("provider_error", `GitHub's ${path} answered ${res.status}.`);
  return res.json().catch(() => null);
}

interface GithubEmail { email?: unknown; primary?: unknown; verified?: unknown }

/**
 * Code → GitHub identity. The email is the account's primary address, and only if GitHub has
 * verified it: /user's public `email` and secondary addresses are never used, because a match
 * on them would link this GitHub account to someone else's gateway account.
 */
export async function githubIdentity(cfg: GithubConfig, code: string, verifier: string, redirectUri: string): Promise<ProviderIdentity> {
  const token = await exchange(cfg, code, verifier, redirectUri);
  const user = (await getJson(cfg, "/user", token)) as { id?: unknown; name?: unknown; login?: unknown } | null;
  if (typeof user?.id !== "number" && typeof user?.id !== "string") throw oauthFailure("provider_error", "GitHub's /user has no id.");
  const emails = await getJson(cfg, "/user/emails", token);
  const primary = Array.isArray(emails) ? (emails as GithubEmail[]).find((e) => e?.primary === true) : undefined;
  if (typeof primary?.email !== "string" || !primary.email.includes("@")) throw oauthFailure("email_missing", "GitHub shared no primary email address.");
  if (primary.verified !== true) throw oauthFailure("email_not_verified", "GitHub has not verified this account's primary email address.");
  const name = typeof user.name === "string" && user.name ? user.name : typeof user.login === "string" ? user.login : null;
  return { provider: "github", subject: String(user.id), email: primary.email.trim().toLowerCase(), name: name?.slice(0, 200) ?? null };
}
