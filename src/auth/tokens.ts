import { base64url } from "jose";
import type { Env } from "../env";
import { sha256Hex } from "../lib/api-key";

export type TokenPurpose = "verify_email" | "reset_password" | "change_email";

/** How long each kind of emailed link works. */
export const TOKEN_TTL_MS: Record<TokenPurpose, number> = {
  verify_email: 24 * 3_600_000,
  reset_password: 3_600_000,
  change_email: 24 * 3_600_000,
};

/**
 * Purposes where a new link replaces the older ones: only the latest password-reset or
 * email-change link works. Verification links stay valid until they expire, so an earlier
 * email still works after "resend".
 */
const SUPERSEDES: ReadonlySet<TokenPurpose> = new Set(["reset_password", "change_email"]);

/**
 * Creates a single-use token (32 random bytes, base64url) and stores only its SHA-256.
 * `email` is the new address for change_email.
 */
export async function createToken(
  env: Env,
  t: { userId: string; purpose: TokenPurpose; email?: string | null },
  now = Date.now(),
): Promise<string> {
  const token = base64url.encode(crypto.getRandomValues(new Uint8Array(32)));
  const insert = env.DB.prepare("INSERT INTO auth_tokens (token_hash, user_id, purpose, email, expires_at, used_at, created_at) VALUES (?, ?, ?, ?, ?, NULL, ?)")
    .bind(await sha256Hex(token), t.userId, t.purpose, t.email ?? null, now + TOKEN_TTL_MS[t.purpose], now);
  if (SUPERSEDES.has(t.purpose)) {
    const retire = env.DB.prepare("UPDATE auth_tokens SET used_at = ? WHERE user_id = ? AND purpose = ? AND used_at IS NULL").bind(now, t.userId, t.purpose);
    await env.DB.batch([retire, insert]);
  } else {
    await insert.run();
  }
  return token;
}

export interface ConsumedToken { userId: string; purpose: TokenPurpose; email: string | null }

/**
 * Uses a token once: one UPDATE … RETURNING, so of two concurrent uses exactly one succeeds.
 * Returns null for unknown, used, expired or wrong-purpose tokens (the caller answers all alike).
 */
export async function consumeToken(env: Env, token: string, purposes: readonly TokenPurpose[], now = Date.now()): Promise<ConsumedToken | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const marks = purposes.map(() => "?").join(", ");
  const row = await env.DB.prepare(
    `UPDATE auth_tokens SET used_at = ? WHERE token_hash = ? AND purpose IN (${marks}) AND used_at IS NULL AND expires_at > ? RETURNING user_id, purpose, email`,
  ).bind(now, await sha256Hex(token), ...purposes, now).first<{ user_id: string; purpose: TokenPurpose; email: string | null }>();
  return row ? { userId: row.user_id, purpose: row.purpose, email: row.email } : null;
}

/** Gives a consumed token back when the work it gated failed half-way, so the link can be followed again. */
export async function releaseToken(env: Env, token: string): Promise<void> {
  await env.DB.prepare("UPDATE auth_tokens SET used_at = NULL WHERE token_hash = ?").bind(await sha256Hex(token)).run();
}
