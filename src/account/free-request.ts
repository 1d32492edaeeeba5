import { findUsableKey, isRefusal } from "./keys";
import { statusRefusal } from "./admission";
import { pruneRateEvents, rateWindow, recordRateEvent } from "./rate-limit";
import type { AdmitSettings, VerifyResult } from "./types";

/**
 * Counts an unbilled request (e.g. count_tokens) against the key's requests-per-minute limit,
 * without a reservation: verifies the key and the account, refuses with 429 when the minute's
 * requests are used up, else records one rate event with no tokens. Runs inside the Durable
 * Object, so it is exact across edge locations.
 */
export function countFreeRequest(sql: SqlStorage, keyHash: string, settings: AdmitSettings, accountStatus: string, requestId: string, now: number): VerifyResult {
  const key = findUsableKey(sql, keyHash, now);
  if (isRefusal(key)) return key;
  if (accountStatus !== "active") return statusRefusal(accountStatus);
  pruneRateEvents(sql, now);
  const rate = rateWindow(sql, key, now, settings);
  if (rate.remainingRequests <= 0) {
    return {
      ok: false, status: 429, code: "rate_limit_exceeded", rate, retryAfterSeconds: Math.max(1, Math.ceil(rate.resetRequestsMs / 1000)),
      message: `Rate limit reached: ${rate.limitRequests} requests per minute for this key.`,
    };
  }
  recordRateEvent(sql, key.id, now, 0);
  return { ok: true, key, rate: rateWindow(sql, key, now, settings) };
}
