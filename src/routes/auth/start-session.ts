import { base64url } from "jose";
import type { Context } from "hono";
import { readCsrfCookie, setCsrfCookie, setSessionCookie } from "../../auth/cookies";
import { issueSession } from "../../auth/session";
import type { BaseEnv, Env } from "../../env";


/** A fresh CSRF token: 32 random bytes, base64url. */
export function newCsrfToken(): string {
  return base64url.encode(crypto.getRandomValues(new Uint8Array(32)));
}

/** The CSRF cookie's current value if it is well-formed, else a new one (set on the response). */
export function ensureCsrfCookie<E extends BaseEnv>(c: Context<E>): string {
  const existing = readCsrfCookie(c);
  if (existing && /^[A-Za-z0-9_-]{16,128}$/.test(existing)) return existing;
  const token = newCsrfToken();
  setCsrfCookie(c, token);
  return token;
}

/**
 * Signs the user in on this browser: a new session cookie, and a new CSRF token, so a token planted
 * before sign-in (login CSRF / fixation) does not carry over into the session.
 */
export async function startSession<E extends BaseEnv>(c: Context<E>, user: { id: string; sessionVersion: number }): Promise<void> {
  const { token, maxAge } = await issueSession(c.env, user.id, user.sessionVersion);
  setSessionCookie(c, token, maxAge);
  setCsrfCookie(c, newCsrfToken());
}
