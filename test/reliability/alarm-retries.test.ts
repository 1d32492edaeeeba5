import { env, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { costNano } from "../../src/lib/money";
import { TEST_PRICE } from "../helpers/catalog";
import { account, chat, createUser, drained, settled } from "../helpers/gateway";
import { alarmAt, d1Ledger, expectBooksBalance, FlakyD1, swapDoD1, USD, writeFigures } from "./support";

// Fault: the alarm's work (flushing the outbox to D1) fails again and again. The alarm handler
// catches the failure and sets the next alarm itself with a capped exponential backoff:
// min(300 s, 1 s × 2^attempts). runDurableObjectAlarm runs an alarm only if one is set, so each
// `true` below proves the previous failure rescheduled it. The platform's own retry of a throwing
// alarm gives up after a few tries; this handler never throws, so the retries go on until D1 is back.
const ECHO_COST = costNano([[11, TEST_PRICE.input], [7, TEST_PRICE.output]]); // 11 × 1000 + 7 × 2000
const FAILURES = 10;
const MAX_BACKOFF_MS = 300_000;

describe("fault: the alarm fails several times", () => {
  it(`${FAILURES} failed alarms in a row: each reschedules with backoff (2 s, 4 s, … capped at 300 s), then the outbox drains`, async () => {
    const { userId, key } = await createUser("1.00");
    await drained(userId);
    const flaky = new FlakyD1(env.DB);
    // With USAGE_D1_MIRROR on for this wallet, its usage record and usage debit also wait in the outbox for D1.
    const swap = await swapDoD1(userId, flaky.db, { USAGE_D1_MIRROR: "on" });
    const delays: number[] = [];
    try {
      const res = await chat(key, { model: "test-echo", max_tokens: 7 });
      expect(res.status).toBe(200);
      await res.text();
      await settled(userId);
      const pending = (await account(userId).summary()).pendingOutbox;
      expect(pending).toBe(2); // the usage record and the usage debit

      for (let i = 1; i <= FAILURES; i++) {
        const t0 = Date.now();
        expect(await runDurableObjectAlarm(account(userId))).toBe(true);
        const t1 = Date.now();
        const at = await alarmAt(userId);
        expect(at).not.toBeNull();
        // After i failures every pending row has attempts = i: the next try is min(300 s, 2^i s) later.
        const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** i);
        expect(at!).toBeGreaterThanOrEqual(t0 + backoff);
        expect(at!).toBeLessThanOrEqual(t1 + backoff);
        delays.push(at! - t1);
        expect((await account(userId).summary()).pendingOutbox).toBe(pending);
      }
      expect(flaky.failedBatches).toBe(FAILURES);
      expect(await d1Ledger(userId)).toEqual({ n: 1, sum: 1 * USD });

      flaky.down = false;
      expect(await runDurableObjectAlarm(account(userId))).toBe(true);
      expect((await account(userId).summary()).pendingOutbox).toBe(0);
      // Nothing left to do: no reservation open, the outbox empty, so no alarm is set any more.
      expect(await alarmAt(userId)).toBeNull();
      const { summary, rows, d1 } = await expectBooksBalance(userId);
      expect(summary.balanceNano).toBe(1 * USD - ECHO_COST);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ status: "success", cost_nano: ECHO_COST });
      expect(d1).toEqual({ n: 2, sum: summary.balanceNano });

      await writeFigures("alarm-retries", {
        failedAlarms: FAILURES, rescheduledEachTime: true, backoffMs: delays.map((d) => Math.round(d / 1000) * 1000),
        drainedOnAttempt: FAILURES + 1, pendingRowsKept: pending, d1Transactions: d1.n, doBalanceNano: summary.balanceNano,
      });
    } finally {
      await swap.restore();
    }
  });
});
