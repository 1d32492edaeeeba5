import { describe, expect, it } from "vitest";
import { formatUsd } from "../../src/lib/money";
import { account } from "../helpers/gateway";
import { signedInUser, type SessionUser } from "../helpers/session";
import { ECHO_COST, USD, echo, keyFor, operatorCredit } from "./ledger-helpers";

interface Txn { id: string; kind: string; amount_usd: string; balance_after_usd: string; ref: string; note: string | null; created_at: string }
interface Page { data: Txn[]; next_cursor: string | null }

async function page(user: SessionUser, query = ""): Promise<Page> {
  const res = await user.fetch(`/api/billing/transactions${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Page;
}

/**
 * One user with an entry of every kind, made through the paths that make them in production:
 * operator grant and adjustment (admin API), usage (a chat request), and purchase, refund and
 * dispute (the Durable Object's credit(), which Stripe's webhook handling calls).
 */
async function userWithEveryKind() {
  const user = await signedInUser("10.00"); // grant +10.00
  const { key } = await keyFor(user.userId);
  const requestId = await echo(user.userId, key); // usage −25,000 nUSD
  await operatorCredit(user.userId, "-0.50", "correction"); // adjustment
  const stub = account(user.userId);
  await stub.credit(user.userId, { kind: "purchase", amountNano: 5 * USD, ref: "pi_test_purchase", note: "card" });
  await stub.credit(user.userId, { kind: "refund", amountNano: -1 * USD, ref: "re_test_refund", note: "refund to card" });
  await stub.credit(user.userId, { kind: "dispute", amountNano: -2 * USD, ref: "dp_test_dispute", note: null });
  return { user, requestId };
}

describe("GET /api/billing/transactions", () => {
  it("lists every kind with amount, balance after, ref, note and time, newest first (without an explicit flush)", async () => {
    const before = Date.now();
    const { user, requestId } = await userWithEveryKind();
    const { data, next_cursor } = await page(user);
    expect(next_cursor).toBeNull();
    // Running balance: 10 − 0.000025 − 0.5 + 5 − 1 − 2.
    const b1 = 10 * USD, b2 = b1 - ECHO_COST, b3 = b2 - USD / 2, b4 = b3 + 5 * USD, b5 = b4 - USD, b6 = b5 - 2 * USD;
    expect(data.map(({ kind, amount_usd, balance_after_usd, ref, note }) => ({ kind, amount_usd, balance_after_usd, ref, note }))).toEqual([
      { kind: "dispute", amount_usd: "-2.00", balance_after_usd: formatUsd(b6), ref: "dp_test_dispute", note: null },
      { kind: "refund", amount_usd: "-1.00", balance_after_usd: formatUsd(b5), ref: "re_test_refund", note: "refund to card" },
      { kind: "purchase", amount_usd: "5.00", balance_after_usd: formatUsd(b4), ref: "pi_test_purchase", note: "card" },
      { kind: "adjustment", amount_usd: "-0.50", balance_after_usd: formatUsd(b3), ref: expect.stringMatching(/^op_/), note: "correction" },
      { kind: "usage", amount_usd: formatUsd(-ECHO_COST), balance_after_usd: formatUsd(b2), ref: requestId, note: "test-echo" },
      { kind: "grant", amount_usd: "10.00", balance_after_usd: formatUsd(b1), ref: expect.stringMatching(/^op_/), note: "test" },
    ]);
    // Times are ISO strings from this test's run, strictly decreasing down the list.
    const times = data.map((t) => Date.parse(t.created_at));
    expect(data.every((t) => new Date(Date.parse(t.created_at)).toISOString() === t.created_at)).toBe(true);
    expect(times.every((t, i) => t >= before && t <= Date.now() && (i === 0 || t < times[i - 1]!))).toBe(true);
    expect(new Set(data.map((t) => t.id)).size).toBe(6);
    // The DO's balance is the newest balance_after.
    expect((await account(user.userId).summary()).balanceNano).toBe(b6);
  });

  it("pages with a keyset cursor: every entry once, in order, and the last page has no cursor", async () => {
    const { user } = await userWithEveryKind();
    const all = (await page(user)).data.map((t) => t.id);
    for (const limit of [1, 2, 4, 5, 6]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const p: Page = await page(user, `?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
        expect(p.data.length).toBeLessThanOrEqual(limit);
        seen.push(...p.data.map((t) => t.id));
        cursor = p.next_cursor;
        pages++;
      } while (cursor);
      expect(seen).toEqual(all);
      expect(pages).toBe(Math.ceil(all.length / limit));
    }
  });

  it("filters by kind, and pages within the filter", async () => {
    const { user } = await userWithEveryKind();
    await account(user.userId).credit(user.userId, { kind: "purchase", amountNano: 3 * USD, ref: "pi_test_second", note: "card" });
    const first = await page(user, "?kind=purchase&limit=1");
    expect(first.data.map((t) => [t.kind, t.ref, t.amount_usd])).toEqual([["purchase", "pi_test_second", "3.00"]]);
    const second = await page(user, `?kind=purchase&limit=1&cursor=${encodeURIComponent(first.next_cursor!)}`);
    expect(second.data.map((t) => [t.kind, t.ref, t.amount_usd])).toEqual([["purchase", "pi_test_purchase", "5.00"]]);
    expect(second.next_cursor).toBeNull();
    expect((await page(user, "?kind=usage")).data.map((t) => t.kind)).toEqual(["usage"]);
  });

  it("shows only the signed-in user's own entries (P17)", async () => {
    const { user } = await userWithEveryKind();
    const other = await signedInUser("1.00");
    const mine = await page(other);
    expect(mine.data.map((t) => [t.kind, t.amount_usd])).toEqual([["grant", "1.00"]]);
    // A cursor taken from someone else's list does not reveal their rows either.
    const theirs = await page(user, "?limit=1");
    const probe = await page(other, `?cursor=${encodeURIComponent(theirs.next_cursor!)}`);
    expect(probe.data.every((t) => !theirs.data.some((x) => x.id === t.id))).toBe(true);
  });

  it("refuses malformed queries and requests without a session", async () => {
    const user = await signedInUser("1.00");
    for (const q of ["?limit=0", "?limit=501", "?kind=bonus", "?cursor=nope", "?cursor=1.a%20b"]) {
      const res = await user.fetch(`/api/billing/transactions${q}`);
      expect(res.status, q).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("invalid_request");
    }
    const anon = await user.fetch("/api/billing/transactions", { headers: { cookie: "" } });
    expect(anon.status).toBe(401);
  });
});
