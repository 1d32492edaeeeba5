import { runInDurableObject } from "cloudflare:test";
import type { AccountDO } from "../../src/account/account-do";
import { describe, expect, it } from "vitest";
import { formatUsd } from "../../src/lib/money";
import { account, admin } from "../helpers/gateway";
import { signedInUser } from "../helpers/session";
import { USD, operatorCredit } from "./ledger-helpers";

const DAY = 86_400_000;
const dateOf = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);

/** Moves one ledger entry to another time in the wallet's Durable Object, where the history is read (the rows were posted today; history needs past days). */
async function backdate(userId: string, ref: string, at: number) {
  const moved = await runInDurableObject(account(userId), (_: AccountDO, state) => {
    state.storage.sql.exec("UPDATE ledger SET created_at = ? WHERE ref = ?", at, ref);
    return state.storage.sql.exec("SELECT count(*) AS n FROM ledger WHERE ref = ? AND created_at = ?", ref, at).one().n;
  });
  expect(moved).toBe(1);
}

async function history(user: Awaited<ReturnType<typeof signedInUser>>, query = "") {
  const res = await user.fetch(`/api/billing/balance-history${query}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: { date: string; balance_usd: string }[] }).data;
}

describe("GET /api/billing/balance-history", () => {
  it("gives each day's closing balance from balance_after; quiet days carry the previous balance", async () => {
    const user = await signedInUser("0");
    const stub = account(user.userId);
    // Posted through the Durable Object (so balance_after is the real running balance), then dated back in D1.
    const steps: [ref: string, amount: number][] = [["h-a", 2 * USD], ["h-b", 10 * USD], ["h-c", -1 * USD], ["h-d", -3 * USD]];
    for (const [ref, amountNano] of steps) await stub.credit(user.userId, { kind: amountNano > 0 ? "grant" : "adjustment", amountNano, ref });
    await stub.flushOutbox();
    const today = Math.floor(Date.now() / DAY);
    await backdate(user.userId, "h-a", (today - 10) * DAY + 3600_000); // balance 2 (before a 7-day window)
    await backdate(user.userId, "h-b", (today - 5) * DAY + 3600_000); // 12
    await backdate(user.userId, "h-c", (today - 5) * DAY + 23 * 3600_000); // 11: that day's close
    await backdate(user.userId, "h-d", (today - 2) * DAY + 12 * 3600_000); // 8
    // Today: an operator credit still in the outbox; the route flushes it first.
    await operatorCredit(user.userId, "1.00"); // 9

    const week = await history(user, "?days=7");
    expect(week).toEqual([
      [today - 6, 2], [today - 5, 11], [today - 4, 11], [today - 3, 11], [today - 2, 8], [today - 1, 8], [today, 9],
    ].map(([day, usd]) => ({ date: dateOf(day!), balance_usd: formatUsd(usd! * USD) })));

    const month = await history(user);
    expect(month).toHaveLength(30);
    expect(month[0]).toEqual({ date: dateOf(today - 29), balance_usd: "0.00" });
    expect(month.find((d) => d.date === dateOf(today - 10))?.balance_usd).toBe(formatUsd(2 * USD));
    expect(month.find((d) => d.date === dateOf(today - 11))?.balance_usd).toBe("0.00");
    expect(month.slice(-7)).toEqual(week);
  });

  it("follows usage and negative balances exactly (nUSD precision)", async () => {
    const user = await signedInUser("0");
    const stub = account(user.userId);
    await stub.credit(user.userId, { kind: "purchase", amountNano: 1_000_000_123, ref: "pi_h1" });
    await stub.credit(user.userId, { kind: "dispute", amountNano: -1_500_000_000, ref: "dp_h1" });
    const [day] = await history(user, "?days=1");
    expect(day).toEqual({ date: dateOf(Math.floor(Date.now() / DAY)), balance_usd: formatUsd(1_000_000_123 - 1_500_000_000) });
  });

  it("shows only the user's own ledger, and zero for a user without entries", async () => {
    const rich = await signedInUser("50.00");
    const empty = await signedInUser("0");
    expect((await history(empty, "?days=3")).map((d) => d.balance_usd)).toEqual(["0.00", "0.00", "0.00"]);
    expect((await history(rich, "?days=1"))[0]!.balance_usd).toBe("50.00");
    // The operator view agrees with the history's last day.
    const res = await admin(`/users/${rich.userId}`);
    expect(((await res.json()) as { balance_usd: string }).balance_usd).toBe("50.00");
  });

  it("refuses days outside 1..366", async () => {
    const user = await signedInUser("0");
    for (const q of ["?days=0", "?days=367", "?days=abc", "?days=1.5"]) {
      const res = await user.fetch(`/api/billing/balance-history${q}`);
      expect(res.status, q).toBe(400);
    }
  });
});
