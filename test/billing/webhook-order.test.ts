import { describe, expect, it } from "vitest";
import { account } from "../helpers/gateway";
import { signedInUser } from "../helpers/session";
import { completed, deliver, dispute, refunded, startTopup, uid, type Purchase, type TestEvent } from "./stripe-helpers";

const CENT = 10_000_000; // nUSD per cent

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((x, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest]));
}

type Step = "completed" | "refunded" | "dispute_created" | "dispute_closed";
const STEPS: Step[] = ["completed", "refunded", "dispute_created", "dispute_closed"];

/** 10.00 paid; 3.00 refunded; the remaining 7.00 disputed, and the dispute is lost or won. */
function eventsFor(p: Purchase, outcome: "lost" | "won"): Record<Step, TestEvent> {
  const dp = uid("dp");
  return {
    completed: completed(p),
    refunded: refunded(p, 300),
    dispute_created: dispute(p, dp, "charge.dispute.created", "needs_response", 700),
    dispute_closed: dispute(p, dp, "charge.dispute.closed", outcome, 700),
  };
}

async function run(order: Step[], outcome: "lost" | "won") {
  const user = await signedInUser("0");
  const p = await startTopup(user, "10.00");
  const events = eventsFor(p, outcome);
  for (const step of order) expect(await deliver(events[step])).toBe(200);
  const stub = account(user.userId);
  const summary = await stub.summary();
  const sums: Record<string, number> = {};
  for (const e of await stub.ledger()) sums[e.kind] = (sums[e.kind] ?? 0) + e.amountNano;
  return { balance: summary.balanceNano, status: summary.status, sums };
}

describe("Stripe events in any order", () => {
  for (const outcome of ["lost", "won"] as const) {
    it(`every order of completed, refunded, dispute created and closed (${outcome}) ends as in-order delivery`, async () => {
      const inOrder = await run(STEPS, outcome);
      // lost: 1000 − 300 − 700 = 0 cents; won: 1000 − 300 = 700 cents. Status is active again either way.
      const expected = outcome === "lost"
        ? { balance: 0, status: "active", sums: { purchase: 1000 * CENT, refund: -300 * CENT, dispute: -700 * CENT } }
        : { balance: 700 * CENT, status: "active", sums: { purchase: 1000 * CENT, refund: -300 * CENT } };
      expect(inOrder).toEqual(expected);
      const orders = permutations(STEPS);
      expect(orders).toHaveLength(24);
      for (let i = 0; i < orders.length; i += 6) {
        const results = await Promise.all(orders.slice(i, i + 6).map((o) => run(o, outcome).then((r) => ({ order: o.join(","), ...r }))));
        for (const r of results) expect(r).toEqual({ order: r.order, ...inOrder });
      }
    }, 90_000); // 25 users and 100 deliveries; slow when the whole suite runs in parallel
  }

  it("holds a refund that arrives before the purchase and applies it with the purchase", async () => {
    const user = await signedInUser("0");
    const p = await startTopup(user, "10.00");
    expect(await deliver(refunded(p, 300))).toBe(200);
    const stub = account(user.userId);
    expect((await stub.summary()).balanceNano).toBe(0);
    expect(await deliver(completed(p))).toBe(200);
    // 1000 − 300 cents
    expect((await stub.summary()).balanceNano).toBe(700 * CENT);
  });
});
