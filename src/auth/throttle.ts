import type { Env } from "../env";
import { ApiError } from "../errors";

/**
 * Fixed-window counters in D1 (`throttles`): a bucket's window starts at its first hit and lasts
 * `windowMs`; the next hit after that starts a new window at 1.
 *
 * Counting is "reserve first": each attempt increments before it is checked, in one atomic
 * upsert, so parallel attempts cannot slip past the limit between a read and a write. Sign-in
 * gives the slot back on success (see releaseSignIn).
 */
export interface Hit { count: number; retryAfterSeconds: number }

export interface Limit { bucket: string; max: number; windowMs: number }

function hitStatement(env: Env, bucket: string, windowMs: number, now: number): D1PreparedStatement {
  const expired = now - windowMs;
  return env.DB.prepare(
    `INSERT INTO throttles (bucket, window_start, count) VALUES (?1, ?2, 1)
     ON CONFLICT(bucket) DO UPDATE SET
       count = CASE WHEN window_start <= ?3 THEN 1 ELSE count + 1 END,
       window_start = CASE WHEN window_start <= ?3 THEN ?2 ELSE window_start END
     RETURNING window_start, count`,
  ).bind(bucket, now, expired);
}

/** Counts one attempt against each limit (one D1 round trip); returns the first limit exceeded, if any. */
export async function hitLimits(env: Env, limits: readonly Limit[], now = Date.now()): Promise<Hit | null> {
  if (limits.length === 0) return null;
  const results = await env.DB.batch<{ window_start: number; count: number }>(limits.map((l) => hitStatement(env, l.bucket, l.windowMs, now)));
  let worst: Hit | null = null;
  for (const [i, l] of limits.entries()) {
    const row = results[i]!.results[0]!;
    if (row.count <= l.max) continue;
    // Seconds until this window ends; with several exceeded limits, the caller waits for the last.
    const retryAfterSeconds = Math.max(1, Math.ceil((row.window_start + l.windowMs - now) / 1000));
    if (!worst || retryAfterSeconds > worst.retryAfterSeconds) worst = { count: row.count, retryAfterSeconds };
  }
  return worst;
}

/** Gives one counted attempt back (a successful sign-in is not a failure). */
export async function releaseHit(env: Env, bucket: string): Promise<void> {
  await env.DB.prepare("UPDATE throttles SET count = max(count - 1, 0) WHERE bucket = ?").bind(bucket).run();
}

export async function clearBucket(env: Env, bucket: string): Promise<void> {
  await env.DB.prepare("DELETE FROM throttles WHERE bucket = ?").bind(bucket).run();
}

export function tooManyAttempts(hit: Hit): ApiError {
  return new ApiError(429, "too_many_attempts", `Too many attempts. Try again in ${hit.retryAfterSeconds} seconds.`, {
    headers: { "retry-after": String(hit.retryAfterSeconds) },
  });
}

const MIN = 60_000;

/**
 * The limits (docs/accounts.md, "Brute-force limits"). Sign-in counts failures; the others count
 * every request. Buckets without an IP (no cf-connecting-ip: only outside Cloudflare's edge) are skipped.
 */
export const LIMITS = {
  signInWindowMs: 15 * MIN,
  resetPerAccount: { max: 3, windowMs: 60 * MIN },
  resetPerIp: { max: 10, windowMs: 60 * MIN },
  resendPerAccount: { max: 3, windowMs: 60 * MIN },
  resendPerIp: { max: 10, windowMs: 60 * MIN },
  tokenPerIp: { max: 30, windowMs: 15 * MIN },
  registerPerIp: { max: 10, windowMs: 60 * MIN },
  passwordCheckPerAccount: { max: 5, windowMs: 15 * MIN },
} as const;

/** Builds the per-account and per-IP limits of one action; the IP one only when the IP is known. */
export function limitsFor(
  action: string,
  account: { key: string; max: number; windowMs: number } | null,
  ip: { key: string | null; max: number; windowMs: number } | null,
): Limit[] {
  const out: Limit[] = [];
  if (account) out.push({ bucket: `${action}:acct:${account.key}`, max: account.max, windowMs: account.windowMs });
  if (ip?.key) out.push({ bucket: `${action}:ip:${ip.key}`, max: ip.max, windowMs: ip.windowMs });
  return out;
}

/** Counts one attempt and throws 429 too_many_attempts when a limit is exceeded. */
export async function enforce(env: Env, limits: readonly Limit[], now = Date.now()): Promise<void> {
  const hit = await hitLimits(env, limits, now);
  if (hit) throw tooManyAttempts(hit);
}
