import { beforeAll, describe, expect, it } from "vitest";
import { account } from "../helpers/gateway";
import { USD } from "./ledger-helpers";
import { DAY, createPlan, invoiceEvent, permutations, planRows, send, subscriber, subscriptionEvent, subscriptionOf, type Plan } from "./subscription-helpers";

let basic: Plan;
let pro: Plan;
beforeAll(async () => {
  basic = await createPlan("5.00", "10.00");
  pro = await createPlan("12.00", "25.00");
});

const now = () => Math.floor(Date.now() / 1000);

describe("subscriptions: lifecycle with signed Stripe events", () => {
  it("subscribe → renew → upgrade → payment failure → cancel: plan credit per paid invoice, expiry at each period's end, status as Stripe reports", async () => {
    const s = await subscriber();
    const t0 = now();
    const t1 = t0 + 30 * DAY;
    const t2 = t1 + 30 * DAY;
    await account(s.user.userId).creditPurchase(s.user.userId, { ref: `cs_${s.sub}`, amountNano: 10 * USD }); // purchased credit: never expires
    // Subscribe.
    await send(subscriptionEvent("customer.subscription.created", s, basic.price, t0, { periodEnd: t1 }));
    await send(invoiceEvent("invoice.paid", s, "in_1", t0, [{ amount: 1000, price: basic.price, start: t0, end: t1 }]));
    expect(await subscriptionOf(s.user.userId)).toMatchObject({ plan_id: basic.id, status: "active" });
    await account(s.user.userId).credit(s.user.userId, { kind: "usage", amountNano: -2 * USD, ref: "req_used_plan_credit" });
    // The period ends (the wallet's alarm, run here at exactly t1): the unused 3.00 expires; the purchase is untouched.
    expect(await account(s.user.userId).expirePlanCredit(t1 * 1000)).toBe(3 * USD);
    expect((await account(s.user.userId).summary()).balanceNano).toBe(10 * USD);
    // Renew: the new period's 5.00 arrives.
    await send(invoiceEvent("invoice.paid", s, "in_2", t1, [{ amount: 1000, price: basic.price, start: t1, end: t2 }]));
    expect(await planRows(s.user.userId)).toEqual(expect.arrayContaining([
      { kind: "plan_credit", amountNano: 5 * USD, ref: "plancredit:in_1" },
      { kind: "plan_expiry", amountNano: -3 * USD, ref: "planexp:in_1" },
      { kind: "plan_credit", amountNano: 5 * USD, ref: "plancredit:in_2" },
    ]));
    expect((await account(s.user.userId).summary()).balanceNano).toBe(10 * USD + 5 * USD);
    // Upgrade mid-period: the prorated invoice adds only pro's credit beyond basic's for this period.
    await send(subscriptionEvent("customer.subscription.updated", s, pro.price, t1 + DAY, { periodEnd: t2 }));
    await send(invoiceEvent("invoice.paid", s, "in_3", t1 + DAY, [{ amount: -800, price: basic.price, start: t1 + DAY, end: t2 }, { amount: 2000, price: pro.price, start: t1 + DAY, end: t2 }]));
    expect((await account(s.user.userId).summary()).balanceNano).toBe(10 * USD + 12 * USD);
    expect(await subscriptionOf(s.user.userId)).toMatchObject({ plan_id: pro.id, status: "active" });
    // Payment failure: shown, nothing credited.
    await send(invoiceEvent("invoice.payment_failed", s, "in_4", t1 + 2 * DAY, [{ amount: 2500, price: pro.price, start: t2, end: t2 + 30 * DAY }]));
    await send(subscriptionEvent("customer.subscription.updated", s, pro.price, t1 + 2 * DAY, { status: "past_due", periodEnd: t2 }));
    expect(await subscriptionOf(s.user.userId)).toMatchObject({ status: "past_due", last_payment_error: "in_4" });
    const view = await (await s.user.fetch("/api/billing/subscription")).json();
    expect(view).toMatchObject({ subscription: { plan_id: pro.id, status: "past_due", payment_failed: true } });
    // Cancel at period end, then deleted; a late "updated" does not revive it.
    const cancelAt = subscriptionEvent("customer.subscription.updated", s, pro.price, t1 + 3 * DAY, { cancel: true, periodEnd: t2 });
    await send(cancelAt);
    expect(await subscriptionOf(s.user.userId)).toMatchObject({ cancel_at_period_end: 1 });
    await send(subscriptionEvent("customer.subscription.deleted", s, pro.price, t1 + 4 * DAY, { status: "canceled", periodEnd: t2 }));
    await send(subscriptionEvent("customer.subscription.updated", s, pro.price, t1 + 5 * DAY, { status: "active", periodEnd: t2 }));
    expect(await subscriptionOf(s.user.userId)).toMatchObject({ status: "canceled" });
    // At the period's end the unused plan credit (12.00) expires exactly; the 10.00 purchased remains.
    // (one row per grant: basic's 5.00 and the upgrade's 7.00).
    expect(await account(s.user.userId).expirePlanCredit(t2 * 1000)).toBe(12 * USD);
    expect((await account(s.user.userId).summary()).balanceNano).toBe(10 * USD);
    const expiries = (await planRows(s.user.userId)).filter((r) => r.kind === "plan_expiry");
    expect(expiries.map((r) => r.amountNano).sort((a, b) => a - b)).toEqual([-7 * USD, -5 * USD, -3 * USD]);
  });

  it("every order of {created, paid, upgraded, upgrade invoice paid}, each event delivered 5 times at once, grants each invoice once and ends the same", async () => {
    const orders = permutations([0, 1, 2, 3]);
    expect(orders).toHaveLength(24);
    const t = now();
    await Promise.all(orders.map(async (order) => {
      const s = await subscriber();
      const events = [
        subscriptionEvent("customer.subscription.created", s, basic.price, t),
        invoiceEvent("invoice.paid", s, `in_a_${s.sub}`, t, [{ amount: 1000, price: basic.price, start: t, end: t + 30 * DAY }]),
        subscriptionEvent("customer.subscription.updated", s, pro.price, t + 60),
        invoiceEvent("invoice.paid", s, `in_b_${s.sub}`, t + 60, [{ amount: -990, price: basic.price, start: t + 60, end: t + 30 * DAY }, { amount: 2490, price: pro.price, start: t + 60, end: t + 30 * DAY }]),
      ];
      for (const i of order) await send(events[i]!, 5);
      expect((await account(s.user.userId).summary()).balanceNano, `order ${order}`).toBe(pro.creditNano);
      const rows = await planRows(s.user.userId);
      expect(rows.reduce((n, r) => n + r.amountNano, 0)).toBe(pro.creditNano);
      expect(new Set(rows.map((r) => r.ref)).size).toBe(rows.length);
      expect(await subscriptionOf(s.user.userId), `order ${order}`).toMatchObject({ plan_id: pro.id, status: "active" });
    }));
  }, 90_000); // 24 orders × 4 events × 5 deliveries: about 15 s on a quiet machine, 20+ under load

  it("plan credit is spent before purchased credit and expires exactly at the period's end, not before", async () => {
    const s = await subscriber();
    const t = now();
    await account(s.user.userId).creditPurchase(s.user.userId, { ref: `cs_${s.sub}`, amountNano: 7 * USD });
    await send(invoiceEvent("invoice.paid", s, `in_${s.sub}`, t, [{ amount: 1000, price: basic.price, start: t, end: t + 30 * DAY }]));
    await account(s.user.userId).credit(s.user.userId, { kind: "usage", amountNano: -1_234_567_891, ref: "req_a" });
    expect(await account(s.user.userId).expirePlanCredit((t + 30 * DAY) * 1000 - 1)).toBe(0);
    expect(await account(s.user.userId).expirePlanCredit((t + 30 * DAY) * 1000)).toBe(5 * USD - 1_234_567_891);
    expect(await account(s.user.userId).expirePlanCredit((t + 31 * DAY) * 1000)).toBe(0);
    expect((await account(s.user.userId).summary()).balanceNano).toBe(7 * USD);
  });
});
