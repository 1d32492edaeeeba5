import type { AdmitSettings, KeyInfo, RateInfo } from "./types";
import { planLimits } from "./plan-limits";
import { RATE_WINDOW_MS, type Row } from "./storage";

interface WindowRow extends Row { n: number; tokens: number; oldest: number | null }

const SECOND_MS = 1000;

/**
 * Sliding 60-second window per key in one-second buckets, kept in the Durable Object (the only
 * authority, so counters cannot drift between edge locations). A request counts from its
 * admission until 60 s after the last request of the same second: at least 60 s and at most 61 s.
 * So no 60-second span ever holds more than rpm requests (or tpm tokens), as with a log of every
 * request, and the cost does not grow with the key's rate. `tokens` counts the reserved estimate
 * at admission and is corrected to the real figure at settlement.
 */
export function rateWindow(sql: SqlStorage, key: KeyInfo, now: number, s: AdmitSettings, extraTokens = 0): RateInfo {
  const since = now - RATE_WINDOW_MS;
  const w = sql.exec<WindowRow>(
    "SELECT coalesce(sum(requests), 0) AS n, coalesce(sum(tokens), 0) AS tokens, min(ts) AS oldest FROM rate_events WHERE key_id = ? AND sec >= ? AND ts > ?",
    key.id, Math.floor(since / SECOND_MS), since,
  ).one();
  // A key's own limit, else its user's plan's (./plan-limits.ts), else the deployment default.
  const plan = planLimits(sql);
  const limitRequests = key.rpm ?? plan?.rpm ?? s.defaultRpm;
  const limitTokens = key.tpm ?? plan?.tpm ?? s.defaultTpm;
  const reset = w.oldest === null ? 0 : Math.max(0, w.oldest + RATE_WINDOW_MS - now);
  return {
    limitRequests,
    remainingRequests: Math.max(0, limitRequests - w.n),
    resetRequestsMs: reset,
    limitTokens,
    remainingTokens: Math.max(0, limitTokens - w.tokens - extraTokens),
    resetTokensMs: reset,
  };
}

/** Counts one request (and its reserved tokens) in the bucket of its second. */
export function recordRateEvent(sql: SqlStorage, keyId: string, now: number, tokens: number): void {
  sql.exec(
    `INSERT INTO rate_events (key_id, sec, ts, requests, tokens) VALUES (?, ?, ?, 1, ?)
     ON CONFLICT (key_id, sec) DO UPDATE SET ts = max(ts, excluded.ts), requests = requests + 1, tokens = tokens + excluded.tokens`,
    keyId, Math.floor(now / SECOND_MS), now, tokens,
  );
}

/**
 * Settlement: the request's reserved tokens become its real ones, in the bucket of the second it
 * was admitted in (a bucket that has left the window is gone, and so is the need to correct it).
 */
export function correctRateTokens(sql: SqlStorage, keyId: string, admittedAt: number, reservedTokens: number, actualTokens: number): void {
  if (actualTokens === reservedTokens) return;
  sql.exec(
    "UPDATE rate_events SET tokens = max(0, tokens + ?) WHERE key_id = ? AND sec = ?",
    actualTokens - reservedTokens, keyId, Math.floor(admittedAt / SECOND_MS),
  );
}

const lastPrune = new WeakMap<SqlStorage, number>();

/**
 * Drops buckets that left the window, at most once a second per Durable Object (the window's
 * query skips them anyway: pruning only keeps the table small). An index seek on ts.
 */
export function pruneRateEvents(sql: SqlStorage, now: number): void {
  const last = lastPrune.get(sql);
  if (last !== undefined && now >= last && now - last < SECOND_MS) return;
  lastPrune.set(sql, now);
  sql.exec("DELETE FROM rate_events WHERE ts <= ?", now - RATE_WINDOW_MS);
}
