import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { correctRateTokens, pruneRateEvents, rateWindow, recordRateEvent } from "../../src/account/rate-limit";
import { migrateAccountSchema, RATE_WINDOW_MS } from "../../src/account/storage";
import type { AdmitSettings, KeyInfo } from "../../src/account/types";
import { account, createUser } from "../helpers/gateway";

// The rate window in one-second buckets (src/account/rate-limit.ts): its cost does not grow with a
// key's rate, and it never lets a 60-second span hold more than the key's rpm / tpm.

const SETTINGS: AdmitSettings = { defaultAllowance: 4096, reservationTtlMs: 900_000, defaultRpm: 600, defaultTpm: 2_000_000 };
const T0 = 1_800_000_000_000; // a whole second, far from the test's real clock

/** Runs `fn` on the SQLite of a fresh user's Durable Object, with that user's key (limits as given). */
async function inAccount<T>(limits: Record<string, unknown>, fn: (sql: SqlStorage, key: KeyInfo) => T): Promise<T> {
  const { userId } = await createUser("1.00", limits);
  return runInDurableObject(account(userId), (instance, state) => fn(state.storage.sql, instance.listKeys()[0]!));
}

const rows = (sql: SqlStorage, keyId: string) =>
  sql.exec<{ n: number }>("SELECT count(*) AS n FROM rate_events WHERE key_id = ?", keyId).one().n;

describe("rate window: one-second buckets", () => {
  it("5,000 requests in one minute take at most 61 rows, and every one of them is counted", async () => {
    const out = await inAccount({ rpm: 1_000_000, tpm: 1_000_000_000 }, (sql, key) => {
      for (let i = 0; i < 5000; i++) recordRateEvent(sql, key.id, T0 + i * 12, 3);
      const now = T0 + 5000 * 12;
      return { rows: rows(sql, key.id), rate: rateWindow(sql, key, now, SETTINGS) };
    });
    expect(out.rows).toBeLessThanOrEqual(61);
    expect(out.rate.remainingRequests).toBe(1_000_000 - 5000);
    expect(out.rate.remainingTokens).toBe(1_000_000_000 - 5000 * 3);
  });

  it("no 60-second span ever admits more than rpm, and the key is served again once its oldest second has left", async () => {
    const admitted = await inAccount({ rpm: 10 }, (sql, key) => {
      const times: number[] = [];
      // One attempt every 700 ms for 5 minutes, admitted only when the window has room (as admission does).
      for (let now = T0; now < T0 + 300_000; now += 700) {
        pruneRateEvents(sql, now);
        if (rateWindow(sql, key, now, SETTINGS).remainingRequests > 0) {
          recordRateEvent(sql, key.id, now, 0);
          times.push(now);
        }
      }
      return times;
    });
    for (const t of admitted) expect(admitted.filter((u) => u > t - RATE_WINDOW_MS && u <= t).length).toBeLessThanOrEqual(10);
    // A request counts at most 61 s: 10 admitted in every 61-second stretch, so at least 40 in 300 s.
    expect(admitted.length).toBeGreaterThanOrEqual(40);
  });

  it("settlement replaces a request's reserved tokens by its real ones in the bucket of its admission", async () => {
    const rate = await inAccount({ tpm: 1000 }, (sql, key) => {
      recordRateEvent(sql, key.id, T0 + 100, 400); // admitted with 400 reserved
      recordRateEvent(sql, key.id, T0 + 900, 50); // same second, another request
      recordRateEvent(sql, key.id, T0 + 1500, 100); // next second
      correctRateTokens(sql, key.id, T0 + 100, 400, 18); // the first one used 18
      return rateWindow(sql, key, T0 + 2000, SETTINGS);
    });
    expect(rate.remainingTokens).toBe(1000 - 18 - 50 - 100);
    expect(rate.remainingRequests).toBe(SETTINGS.defaultRpm - 3);
  });

  it("a Durable Object with per-request rows (before the buckets) keeps its window through the migration", async () => {
    const out = await inAccount({ rpm: 100 }, (sql, key) => {
      sql.exec("DROP TABLE rate_events");
      sql.exec("CREATE TABLE rate_events (request_id TEXT PRIMARY KEY, key_id TEXT NOT NULL, ts INTEGER NOT NULL, tokens INTEGER NOT NULL)");
      sql.exec("CREATE INDEX rate_events_key_ts_tokens ON rate_events (key_id, ts, tokens)");
      sql.exec("CREATE INDEX rate_events_ts ON rate_events (ts)");
      for (let i = 0; i < 7; i++) sql.exec("INSERT INTO rate_events VALUES (?, ?, ?, ?)", `req-${i}`, key.id, T0 + i * 400, 10);
      migrateAccountSchema(sql);
      migrateAccountSchema(sql); // a second run is a no-op
      const columns = sql.exec<{ name: string }>("PRAGMA table_info(rate_events)").toArray().map((c) => c.name);
      return { columns, rows: rows(sql, key.id), rate: rateWindow(sql, key, T0 + 3000, SETTINGS) };
    });
    expect(out.columns).toEqual(["key_id", "sec", "ts", "requests", "tokens"]);
    expect(out.rows).toBe(3); // seconds T0, T0+1 s, T0+2 s
    expect(out.rate.remainingRequests).toBe(100 - 7);
    expect(out.rate.remainingTokens).toBe(SETTINGS.defaultTpm - 70);
  });
});
