import type { AdmitSettings, KeyInfo, RateInfo } from "./types";
import { RATE_WINDOW_MS, type Row } from "./storage";

interface WindowRow extends Row { n: number; tokens: number | null; oldest: number | null }

/**
 * Exact sliding 60-second window per key, kept in the Durable Object (the only authority, so
 * counters cannot drift between edge locations). `tokens` counts the reserved estimate at
 * admission and is corrected to the real figure at settlement.
 */
export function rateWindow(sql: SqlStorage, key: KeyInfo, now: number, s: AdmitSettings, extraTokens = 0): RateInfo {
  const since = now - RATE_WINDOW_MS;
  const w = sql.exec<WindowRow>(
    "SELECT count(*) AS n, sum(tokens) AS tokens, min(ts) AS oldest FROM rate_events WHERE key_id = ? AND ts > ?",
    key.id, since,
  ).one();
  const limitRequests = key.rpm ?? s.defaultRpm;
  const limitTokens = key.tpm ?? s.defaultTpm;
  const reset = w.oldest === null ? 0 : Math.max(0, w.oldest + RATE_WINDOW_MS - now);
  return {
    limitRequests,
    remainingRequests: Math.max(0, limitRequests - w.n),
    resetRequestsMs: reset,
    limitTokens,
    remainingTokens: Math.max(0, limitTokens - (w.tokens ?? 0) - extraTokens),
    resetTokensMs: reset,
  };
}

export function recordRateEvent(sql: SqlStorage, requestId: string, keyId: string, now: number, tokens: number): void {
  sql.exec("INSERT OR REPLACE INTO rate_events (request_id, key_id, ts, tokens) VALUES (?, ?, ?, ?)", requestId, keyId, now, tokens);
}

export function correctRateTokens(sql: SqlStorage, requestId: string, tokens: number): void {
  sql.exec("UPDATE rate_events SET tokens = ? WHERE request_id = ?", tokens, requestId);
}

export function pruneRateEvents(sql: SqlStorage, now: number): void {
  sql.exec("DELETE FROM rate_events WHERE ts <= ?", now - RATE_WINDOW_MS);
}
