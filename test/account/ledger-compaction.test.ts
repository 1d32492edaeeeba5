import { env, runInDurableObject } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AccountDO } from "../../src/account/account-do";
import { compactLedger, DAY_REF } from "../../src/account/ledger-compaction";
import { post } from "../../src/account/ledger";
import { reconcileAll } from "../../src/billing/reconcile";
import type { Env } from "../../src/env";
import { nano } from "../../src/lib/money";
import { account, createUser, drained } from "../helpers/gateway";
import { ECHO_COST, echo, USD } from "../billing/ledger-helpers";

// The ledger's lifecycle (issue 14): per-request usage charges older than the recent window
// (USAGE_RECENT_DAYS, 30 days here) are folded into one row per UTC day; Σ ledger = balance stays exact.
const DAY = 86_400_000;
const WINDOW = 30 * DAY;

type Entry = { kind: string; amount_nano: number; balance_after_nano: number; ref: string; created_at: number; charges: number | null };

async function ledgerOf(userId: string): Promise<{ rows: Entry[]; balance: number }> {
  return runInDurableObject(account(userId), (_: AccountDO, state) => ({
    rows: state.storage.sql.exec<Entry>("SELECT kind, amount_nano, balance_after_nano, ref, created_at, charges FROM ledger ORDER BY created_at").toArray(),
    balance: state.storage.sql.exec<{ b: number }>("SELECT balance_nano AS b FROM account").one().b,
  }));
}

describe("the wallet's ledger folds usage charges older than the recent window into one row a day", () => {
  it("the alarm folds backdated charges by day; balance, Σ ledger, the usage total and reconciliation are unchanged", async () => {
    const u = await createUser("10.00");
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push(await echo(u.userId, u.key));
    await drained(u.userId);
    const before = await account(u.userId).summary();
    // Move the grant and the first six charges back in time, in order: three on each of two days.
    const base = Math.floor((Date.now() - 45 * DAY) / DAY) * DAY;
    await runInDurableObject(account(u.userId), (_: AccountDO, state) => {
      const sql = state.storage.sql;
      sql.exec("UPDATE ledger SET created_at = ? WHERE kind = 'grant'", base);
      ids.slice(0, 6).forEach((id, i) => sql.exec("UPDATE ledger SET created_at = ? WHERE ref = ?", base + (i < 3 ? DAY : 2 * DAY) + 1000 * i, id));
    });
    // The wallet's own alarm (the one its steps schedule) runs the lifecycle.
    await runInDurableObject(account(u.userId), (instance: AccountDO) => instance.alarm());

    const { rows, balance } = await ledgerOf(u.userId);
    expect(balance).toBe(before.balanceNano);
    expect(rows.reduce((s, r) => s + r.amount_nano, 0)).toBe(balance);
    const days = rows.filter((r) => r.ref.startsWith(DAY_REF));
    expect(days.map((r) => [r.ref, r.amount_nano, r.charges])).toEqual([
      [`${DAY_REF}${new Date(base + DAY).toISOString().slice(0, 10)}`, -3 * ECHO_COST, 3],
      [`${DAY_REF}${new Date(base + 2 * DAY).toISOString().slice(0, 10)}`, -3 * ECHO_COST, 3],
    ]);
    // Each day's row stands where its last charge stood: the balance after it.
    expect(days[1]!.balance_after_nano).toBe(10 * USD - 6 * ECHO_COST);
    // The recent charge keeps its own row; the grant is untouched.
    expect(rows.filter((r) => r.kind === "usage" && !r.ref.startsWith(DAY_REF)).map((r) => r.ref)).toEqual([ids[6]]);
    expect(rows.filter((r) => r.kind === "grant")).toHaveLength(1);
    const after = await account(u.userId).summary();
    expect(after).toMatchObject({ balanceNano: before.balanceNano, usageNano: before.usageNano, creditsNano: before.creditsNano });
    expect((await account(u.userId).ledger(10)).find((e) => e.ref === days[0]!.ref)).toMatchObject({ kind: "usage", charges: 3, amountNano: -3 * ECHO_COST });

    const run = await reconcileAll(env as unknown as Env);
    expect(run.details.find((d) => d.user_id === u.userId)).toBeUndefined();
    // Running it again folds nothing and changes nothing.
    const again = await runInDurableObject(account(u.userId), (_: AccountDO, state) => compactLedger(state.storage.sql, Date.now(), WINDOW));
    expect(again).toBe(0);
    expect((await ledgerOf(u.userId)).rows).toEqual(rows);
  });

  it("property: any history folded in any number of bounded runs keeps Σ = balance and each day's total and count", async () => {
    const step = fc.record({ credit: fc.boolean(), amount: fc.integer({ min: 1, max: 5_000_000 }), gapMs: fc.integer({ min: 1, max: 20 * 3600_000 }) });
    await fc.assert(fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 25 }), async (steps, limit) => {
      const stub = env.ACCOUNT.get(env.ACCOUNT.idFromName(`compact-${crypto.randomUUID()}`));
      await runInDurableObject(stub, (_: AccountDO, state) => {
        const sql = state.storage.sql;
        sql.exec("INSERT OR IGNORE INTO account (id, user_id, balance_nano, created_at) VALUES (1, 'u', 0, 0)");
        let t = Date.now() - 60 * DAY;
        const expected = new Map<string, { sum: number; n: number }>();
        steps.forEach((s, i) => {
          t += s.gapMs;
          const amountNano = nano(s.credit ? s.amount : -s.amount);
          const at = post(sql, "u", { kind: s.credit ? "grant" : "usage", amountNano, ref: `r${i}` }, t, false).entry.createdAt;
          const day = new Date(at).toISOString().slice(0, 10);
          if (!s.credit && at < Date.now() - WINDOW) expected.set(day, { sum: (expected.get(day)?.sum ?? 0) + amountNano, n: (expected.get(day)?.n ?? 0) + 1 });
        });
        const balance = sql.exec<{ b: number }>("SELECT balance_nano AS b FROM account").one().b;
        const credits = sql.exec<{ s: number }>("SELECT coalesce(sum(amount_nano), 0) AS s FROM ledger WHERE kind = 'grant'").one().s;
        // Each run looks at `limit` entries at most: enough runs to reach the window, one more to see it is done.
        for (let i = 0; i < Math.ceil(steps.length / limit); i++) compactLedger(sql, Date.now(), WINDOW, limit);
        expect(compactLedger(sql, Date.now(), WINDOW, limit)).toBe(0);
        const rows = sql.exec<Entry>("SELECT kind, amount_nano, balance_after_nano, ref, charges, created_at FROM ledger").toArray();
        expect(rows.reduce((s, r) => s + r.amount_nano, 0)).toBe(balance);
        expect(sql.exec<{ b: number }>("SELECT balance_nano AS b FROM account").one().b).toBe(balance);
        expect(rows.filter((r) => r.kind === "grant").reduce((s, r) => s + r.amount_nano, 0)).toBe(credits);
        const folded = new Map(rows.filter((r) => r.ref.startsWith(DAY_REF)).map((r) => [r.ref.slice(DAY_REF.length), { sum: r.amount_nano, n: r.charges ?? 0 }]));
        expect(folded).toEqual(expected);
        // No per-request charge older than the window is left; every newer one is.
        const old = rows.filter((r) => r.kind === "usage" && !r.ref.startsWith(DAY_REF) && r.created_at < Date.now() - WINDOW);
        expect(old).toEqual([]);
      });
    }), { numRuns: 25 });
  });
});
