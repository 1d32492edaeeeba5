import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { account } from "../helpers/gateway";
import { signedInUser } from "../helpers/session";
import { deliver, refunded, sessionEvent, startTopup, uid, type Purchase, type TestEvent } from "./stripe-helpers";

// Issue 12 item 6: one top-up has ONE idempotency identity (its checkout session id), whatever
// order and shape its events arrive in. Before, a paid checkout.session.completed with
// payment_intent: null credited under the session id and the later async_payment_succeeded with
// the pi_… credited again (+10.00 for a 5.00 top-up).
const CENT = 10_000_000;

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((x, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest]));
}

/** A session event with the payment intent present or (as Stripe may send it) null. */
function shaped(p: Purchase, type: string, status: "paid" | "unpaid", withPi: boolean): TestEvent {
  const e = sessionEvent(p, type, status);
  return { ...e, object: { ...e.object, payment_intent: withPi ? p.pi : null } };
}

type Shape = "completed_paid_no_pi" | "completed_paid_pi" | "completed_unpaid_pi" | "async_succeeded_pi" | "async_succeeded_no_pi" | "refund_300";
const EVENT: Record<Shape, (p: Purchase) => TestEvent> = {
  completed_paid_no_pi: (p) => shaped(p, "checkout.session.completed", "paid", false),
  completed_paid_pi: (p) => shaped(p, "checkout.session.completed", "paid", true),
  completed_unpaid_pi: (p) => shaped(p, "checkout.session.completed", "unpaid", true),
  async_succeeded_pi: (p) => shaped(p, "checkout.session.async_payment_succeeded", "paid", true),
  async_succeeded_no_pi: (p) => shaped(p, "checkout.session.async_payment_succeeded", "paid", false),
  refund_300: (p) => refunded(p, 300),
};

async function run(order: Shape[]) {
  const user = await signedInUser("0");
  const p = await startTopup(user, "10.00");
  for (const shape of order) expect(await deliver(EVENT[shape](p))).toBe(200);
  const ledger = await account(user.userId).ledger();
  const topup = await env.DB.prepare("SELECT status, payment_intent_id, amount_credited_nano FROM topups WHERE id = ?").bind(p.topupId).first();
  return {
    balance: (await account(user.userId).summary()).balanceNano,
    purchases: ledger.filter((e) => e.kind === "purchase").map((e) => [e.ref === p.sessionId ? "session" : e.ref, e.amountNano]),
    refunds: ledger.filter((e) => e.kind === "refund").reduce((a, e) => a + e.amountNano, 0),
    topup: { ...topup, payment_intent_id: topup!.payment_intent_id === p.pi ? "pi" : topup!.payment_intent_id },
  };
}

const credited = { purchases: [["session", 1000 * CENT]], topup: { status: "paid", payment_intent_id: "pi", amount_credited_nano: 1000 * CENT } };

describe("one Stripe top-up, one identity (the checkout session id)", () => {
  const sets: Shape[][] = [
    ["completed_paid_no_pi", "async_succeeded_pi"],
    ["completed_paid_no_pi", "completed_paid_pi"],
    ["completed_unpaid_pi", "async_succeeded_no_pi", "completed_paid_pi"],
    ["completed_paid_no_pi", "async_succeeded_pi", "refund_300"],
    ["completed_unpaid_pi", "async_succeeded_pi", "completed_paid_no_pi", "refund_300"],
  ];
  for (const set of sets) {
    it(`every order of ${set.join(", ")} credits the 10.00 once`, async () => {
      const refund = set.includes("refund_300") ? -300 * CENT : 0;
      const results = await Promise.all(permutations(set).map((o) => run(o).then((r) => ({ order: o.join(","), ...r }))));
      for (const r of results) {
        expect(r).toEqual({ order: r.order, balance: 1000 * CENT + refund, refunds: refund, ...credited });
      }
    }, 90_000);
  }

  it("a purchase credited under its payment intent before this rule is not credited again by a later event", async () => {
    const user = await signedInUser("0");
    const p = await startTopup(user, "10.00");
    await account(user.userId).creditPurchase(user.userId, { ref: p.pi, amountNano: 1000 * CENT });
    expect(await deliver(EVENT.completed_paid_pi(p))).toBe(200);
    expect(await deliver({ ...EVENT.async_succeeded_pi(p), id: uid("evt") })).toBe(200);
    expect((await account(user.userId).summary()).balanceNano).toBe(1000 * CENT);
    expect(await deliver(refunded(p, 250))).toBe(200);
    expect((await account(user.userId).summary()).balanceNano).toBe(750 * CENT);
  });
});
