import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { EncryptJWT, jwtDecrypt } from "jose";
import type { BaseEnv, Env } from "../../env";
import { authConfig, sessionKey } from "../config";
import type { OAuthProviderName } from "./providers";

/** What the browser carries between /start and /callback. */
export interface OAuthState {
  provider: OAuthProviderName;
  /** Echoed by the provider in ?state=; compared in constant time. */
  state: string;
  /** PKCE code verifier; only its S256 challenge left the gateway. */
  verifier: string;
  /** Google only: must come back inside the id_token. */
  nonce: string | null;
  /** Where to land after sign-in (already checked by safeRedirect). */
  redirect: string;
  /** The start request carried accept_terms=1&confirm_age_18=1: a new account may be created. */
  terms: boolean;
}

const TTL_SECONDS = 600;
const ISSUER = "edge-llm-gateway";
/** Distinct from the session audience, so neither token can stand in for the other. */
const AUDIENCE = "edge-llm-gateway:oauth-state";

/**
 * A 256-bit key derived from SESSION_SECRET with HKDF, used only for this cookie. The cookie is
 * encrypted (A256GCM, which also authenticates it): it cannot be forged or altered, and the PKCE
 * verifier inside stays unreadable even where the cookie value leaks.
 */
async function stateKey(env: Env): Promise<Uint8Array> {
  const base = await crypto.subtle.importKey("raw", sessionKey(env), "HKDF", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits(
    { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: new TextEncoder().encode("oauth-state-cookie") },
    base,
    256,
  );
  return new Uint8Array(bits);
}

/** `__Host-oauth`, or plain `oauth` under INSECURE_DEV_COOKIES=on (as in src/auth/cookies.ts). */
function cookieAttrs(env: Env) {
  const insecure = authConfig(env).insecureCookies;
  return { name: `${insecure ? "" : "__Host-"}oauth`, secure: !insecure };
}

export async function sealState(env: Env, s: OAuthState, now = Date.now()): Promise<string> {
  const iat = Math.floor(now / 1000);
  return new EncryptJWT({ ...s })
    .setProtectedHeader({ alg: "dir", enc: "A256GCM" })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + TTL_SECONDS)
    .encrypt(await stateKey(env));
}

/** The state, or null for a missing, forged, altered or expired cookie. */
export async function openState(env: Env, token: string): Promise<OAuthState | null> {
  try {
    const { payload: p } = await jwtDecrypt(token, await stateKey(env), {
      keyManagementAlgorithms: ["dir"],
      contentEncryptionAlgorithms: ["A256GCM"],
      issuer: ISSUER,
      audience: AUDIENCE,
      requiredClaims: ["exp", "iat"],
    });
    if ((p.provider !== "google" && p.provider !== "github") || typeof p.state !== "string" || typeof p.verifier !== "string"
      || (p.nonce !== null && typeof p.nonce !== "string") || typeof p.redirect !== "string" || typeof p.terms !== "boolean") return null;
    return { provider: p.provider, state: p.state, verifier: p.verifier, nonce: p.nonce, redirect: p.redirect, terms: p.terms };
  } catch {
    return null;
  }
}


export function setStateCookie<E extends BaseEnv>(c: Context<E>, sealed: string): void {
  const a = cookieAttrs(c.env);
  // Lax: the provider's redirect back is a top-level GET navigation, which carries Lax cookies.
  setCookie(c, a.name, sealed, { path: "/", httpOnly: true, secure: a.secure, sameSite: "Lax", maxAge: TTL_SECONDS });
}

export function readStateCookie<E extends BaseEnv>(c: Context<E>): string | undefined {
  return getCookie(c, cookieAttrs(c.env).name);
}

export function clearStateCookie<E extends BaseEnv>(c: Context<E>): void {
  const a = cookieAttrs(c.env);
  deleteCookie(c, a.name, { path: "/", secure: a.secure });
}
