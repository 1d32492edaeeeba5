import { env, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { costNano } from "../../src/lib/money";
import { TEST_PRICE } from "../helpers/catalog";
import { account, admin, chat, createUser, drained, settled, usageRows } from "../helpers/gateway";
import { planeFigures } from "../helpers/usage-plane";
import { d1Ledger, expectBooksBalance, FlakyD1, swapDoD1, USD, writeFigures } from "./support";

// Fault: D1 is unavailable for a while, then recovers. The user's Durable Object keeps serving
// (admission and settlement never touch D1); its outbox holds every usage record and ledger entry
// until D1 takes them, and a retried batch (D1 committed, the reply was lost) duplicates nothing.
// The echo scenario reports 11 prompt / 7 completion tokens: 11 × 1000 + 7 × 2000 = 25,000 nUSD.
const ECHO_COST = costNano([[11, TEST_PRICE.input], [7, TEST_PRICE.output]]);
const REQUESTS = 6;
const TOP_UP = 2 * USD; // an operator credit made during the outage, "2.00"

describe("fault: D1 unavailable for a period, then recovers", () => {
  it("requests are served and charged during the outage; after recovery the outbox drains completely, no duplicates, D1 ledger == DO balance", async () => {
    const { userId, key } = await createUser("1.00");
    await drained(userId); // the opening credit is in D1 before the outage
    const before = await d1Ledger(userId);
    expect(before).toEqual({ n: 1, sum: 1 * USD });

    const flaky = new FlakyD1(env.DB);
    // USAGE_D1_MIRROR on for this wallet: its usage records and debits also wait in the outbox for D1.
    const swap = await swapDoD1(userId, flaky.db, { USAGE_D1_MIRROR: "on" });
    const started = Date.now();
    try {
      // During the outage: non-streamed and streamed requests, and an operator credit.
      const responses = await Promise.all(Array.from({ length: REQUESTS }, (_, i) => chat(key, {
        model: "test-echo", max_tokens: 7, ...(i % 2 ? { stream: true, stream_options: { include_usage: true } } : {}),
      })));
      const ids = responses.map((r) => r.headers.get("x-request-id"));
      for (const r of responses) { expect(r.status).toBe(200); await r.text(); }
      const credit = await admin(`/users/${userId}/credits`, { method: "POST", json: { amount_usd: "2.00", note: "during outage" } });
      expect(credit.status).toBe(201);
      await settled(userId);

      // Every write waits in the outbox: REQUESTS usage records + REQUESTS usage debits + 1 credit.
      const pendingDuringOutage = REQUESTS * 2 + 1;
      expect((await account(userId).summary()).pendingOutbox).toBe(pendingDuringOutage);
      // The usage list reads the wallet's own records: complete during the outage; D1's rollups have none yet.
      const usage = await admin(`/users/${userId}/usage`);
      expect(usage.status).toBe(200);
      expect(((await usage.json()) as { data: unknown[] }).data).toHaveLength(REQUESTS);
      // The alarm keeps failing and keeps rescheduling itself.
      let outageAlarms = 0;
      for (let i = 0; i < 3; i++) {
        expect(await runDurableObjectAlarm(account(userId))).toBe(true);
        outageAlarms++;
      }
      expect((await planeFigures(userId)).rollups.requests).toBe(0);
      expect(await d1Ledger(userId)).toEqual(before);
      const s = await account(userId).summary();
      // The DO's books are complete on their own: 1.00 + 2.00 − 6 × 25,000 nUSD.
      expect(s).toMatchObject({ balanceNano: 1 * USD + TOP_UP - REQUESTS * ECHO_COST, pendingOutbox: pendingDuringOutage, inFlight: 0 });

      // Recovery: the first batch commits in D1 but its reply is lost, so the rows stay queued.
      flaky.down = false;
      flaky.loseReplies = 1;
      expect(await runDurableObjectAlarm(account(userId))).toBe(true);
      expect(await usageRows(userId)).toHaveLength(REQUESTS);
      expect((await account(userId).summary()).pendingOutbox).toBe(pendingDuringOutage);
      // The next alarm delivers the same rows again: idempotent inserts, nothing doubled.
      expect(await runDurableObjectAlarm(account(userId))).toBe(true);
      const drainMs = Date.now() - started;

      const { summary, ledger, rows, d1 } = await expectBooksBalance(userId);
      expect(summary.balanceNano).toBe(1 * USD + TOP_UP - REQUESTS * ECHO_COST);
      expect(rows).toHaveLength(REQUESTS);
      expect(rows.map((r) => r.request_id).sort()).toEqual([...ids].sort());
      for (const r of rows) expect(r).toMatchObject({ status: "success", cost_nano: ECHO_COST });
      expect(ledger.filter((e) => e.kind === "usage")).toHaveLength(REQUESTS);
      expect(d1).toEqual({ n: 1 + 1 + REQUESTS, sum: summary.balanceNano });

      await writeFigures("d1-outage", {
        requestsDuringOutage: REQUESTS, creditsDuringOutage: 1, pendingOutboxDuringOutage: pendingDuringOutage,
        failedAlarmsDuringOutage: outageAlarms, failedBatches: flaky.failedBatches, repliesLostAfterCommit: 1,
        usageRowsInD1: rows.length, duplicateUsageRows: rows.length - new Set(rows.map((r) => r.request_id)).size,
        d1Transactions: d1.n, d1SumNano: d1.sum, doBalanceNano: summary.balanceNano, chargedPerRequestNano: ECHO_COST, outageToDrainedMs: drainMs,
      });
    } finally {
      await swap.restore();
    }
  });
});
