import type { Env } from "../env";
import { authConfig } from "./config";
import type { SessionClaims } from "./session";

/**
 * Sign-out ends one session on the server: its id (the JWT's `sid`, random) goes into
 * `revoked_sessions` until the token would have expired anyway, and sessionAuth refuses it.
 * Expired rows are removed on each sign-out, so the table holds at most one TTL of sign-outs.
 */
export async function revokeSession(env: Env, claims: Pick<SessionClaims, "sid" | "auth_time">, now = Date.now()): Promise<void> {
  const expiresAt = now + authConfig(env).sessionTtlSeconds * 1000;
  await env.DB.batch([
    env.DB.prepare("INSERT OR IGNORE INTO revoked_sessions (sid, expires_at) VALUES (?, ?)").bind(claims.sid, expiresAt),
    env.DB.prepare("DELETE FROM revoked_sessions WHERE expires_at < ?").bind(now),
  ]);
}

export async function isRevoked(env: Env, sid: string): Promise<boolean> {
  return (await env.DB.prepare("SELECT 1 AS r FROM revoked_sessions WHERE sid = ?").bind(sid).first("r")) !== null;
}
