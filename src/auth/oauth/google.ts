import { createRemoteJWKSet, jwtVerify, type JWTPayload } from "jose";
import { oauthFailure, PROVIDER_TIMEOUT_MS, type GoogleConfig, type ProviderIdentity } from "./providers";
import { sameString } from "../../lib/compare";

/** One key set per JWKS URL and isolate, so jose's cache and cooldown work across requests. */
const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

function keySet(url: string) {
  let set = keySets.get(url);
  if (!set) {
    set = createRemoteJWKSet(new URL(url), { timeoutDuration: 5000 });
    keySets.set(url, set);
  }
  return set;
}

/** Authorization-code exchange (with the PKCE verifier) at Google's token endpoint. */
async function exchange(cfg: GoogleConfig, code: string, verifier: string, redirectUri: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(cfg.tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: new URLSearchParams({
        grant_type: "authorization_code", code, code_verifier: verifier, redirect_uri: redirectUri,
        client_id: cfg.clientId, client_secret: cfg.clientSecret,
      }),
      signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
    });
  } catch {
    throw oauthFailure("provider_unavailable", "Google's token endpoint did not answer.");
  }
  // A wrong verifier, redirect URI or a reused code all come back as 400 invalid_grant.
  if (!res.ok) throw oauthFailure("token_exchange_failed", `Google's token endpoint answered ${res.status}.`);
  const body = (await res.json().catch(() => null)) as { id_token?: unknown } | null;
  if (typeof body?.id_token !== "string") throw oauthFailure("token_exchange_failed", "Google sent no id_token.");
  return body.id_token;
}

/**
 * Verifies the id_token as Google's OpenID Connect guide asks: signature by a key of Google's JWKS
 * with the algorithm pinned to RS256, `iss`, `aud` = our client id, expiry, `azp` (when present)
 * = our client id, and our `nonce`.
 */
async function verifyIdToken(cfg: GoogleConfig, idToken: string, nonce: string): Promise<JWTPayload> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(idToken, keySet(cfg.jwksUrl), {
      algorithms: ["RS256"],
      issuer: cfg.issuers,
      audience: cfg.clientId,
      requiredClaims: ["sub", "iat", "exp", "nonce"],
    }));
  } catch {
    throw oauthFailure("invalid_id_token", "Google's id_token did not verify.");
  }
  if (typeof payload.nonce !== "string" || !sameString(payload.nonce, nonce)) {
    throw oauthFailure("invalid_id_token", "The id_token's nonce is not the one this sign-in sent.");
  }
  if (payload.azp !== undefined && payload.azp !== cfg.clientId) {
    throw oauthFailure("invalid_id_token", "The id_token was issued to another client.");
  }
  return payload;
}

/** Code → verified Google identity. Only an address Google marks verified is accepted. */
export async function googleIdentity(cfg: GoogleConfig, code: string, verifier: string, nonce: string, redirectUri: string): Promise<ProviderIdentity> {
  const claims = await verifyIdToken(cfg, await exchange(cfg, code, verifier, redirectUri), nonce);
  const { sub, email, email_verified: verified, name } = claims as JWTPayload & { email?: unknown; email_verified?: unknown; name?: unknown };
  if (typeof sub !== "string" || sub === "") throw oauthFailure("invalid_id_token", "The id_token has no subject.");
  if (typeof email !== "string" || !email.includes("@")) throw oauthFailure("email_missing", "Google shared no email address.");
  // Older tokens carried the flag as a string.
  if (verified !== true && verified !== "true") throw oauthFailure("email_not_verified", "Google has not verified this email address.");
  return { provider: "google", subject: sub, email: email.trim().toLowerCase(), name: typeof name === "string" ? name.slice(0, 200) : null };
}
