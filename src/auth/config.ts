import type { Env } from "../env";
import { ApiError } from "../errors";
import { retentionPeriods, type RetentionPeriods } from "../lib/retention-floors";
import { settings } from "../lib/settings";

/** Account, session and retention settings (src/settings.ts, README "Settings"). */
export interface AuthConfig {
  sessionTtlSeconds: number;
  termsVersion: string;
  insecureCookies: boolean;
  signinMaxFailuresPerAccount: number;
  signinMaxFailuresPerIp: number;
  /** Checked against the promised floors (src/lib/retention-floors.ts): a setting below one throws. */
  retention: RetentionPeriods;
}

export function authConfig(env: Env): AuthConfig {
  const s = settings(env);
  return {
    sessionTtlSeconds: s.SESSION_TTL_HOURS * 3600,
    termsVersion: s.TERMS_VERSION,
    insecureCookies: s.INSECURE_DEV_COOKIES,
    signinMaxFailuresPerAccount: s.SIGNIN_MAX_FAILURES_PER_ACCOUNT,
    signinMaxFailuresPerIp: s.SIGNIN_MAX_FAILURES_PER_IP,
    retention: retentionPeriods(env),
  };
}

/** The session signing key. Without SESSION_SECRET, everything that needs a session is off. */
export function sessionKey(env: Env): Uint8Array {
  const secret = env.SESSION_SECRET;
  if (!secret || secret.length < 32) {
    throw new ApiError(503, "sessions_not_configured", "Sign-in is not configured on this deployment: set the SESSION_SECRET secret (32+ characters).");
  }
  return new TextEncoder().encode(secret);
}

/** Local development: DEMO_PROVIDER=on (what `npm start` and `npm run dev` set) or LOCAL_DEV=on. */
export function isLocalDev(env: Env): boolean {
  return settings(env).DEMO_PROVIDER || settings(env).LOCAL_DEV;
}

/** APP_ORIGIN without a trailing slash, or null when unset. */
export function configuredOrigin(env: Env): string | null {
  return settings(env).APP_ORIGIN?.replace(/\/+$/, "") ?? null;
}

/**
 * The dashboard's origin for links in mail, OAuth redirect URIs and checkout return URLs:
 * APP_ORIGIN. Only in local development (isLocalDev) may it fall back to the origin the request
 * came to; elsewhere the Host header is the caller's to choose (a reset link to
 * http://evil.example/...), so without APP_ORIGIN this refuses with 503 and nothing is sent.
 */
export function appOrigin(env: Env, requestUrl: string): string {
  const configured = configuredOrigin(env);
  if (configured) return configured;
  if (isLocalDev(env)) return new URL(requestUrl).origin;
  console.error("APP_ORIGIN is not set: links in mail and OAuth redirects are refused until it is.");
  throw new ApiError(503, "app_origin_not_configured", "This deployment has no public origin configured: the operator must set APP_ORIGIN. Nothing was sent.");
}
