import { beforeAll, describe, expect, it } from "vitest";
import { account } from "../helpers/gateway";
import { basicAndPro, liveSubscription, send, subscriber, subscriptionEvent, subscriptionOf, updatesOf, nowSeconds, type Plan } from "./subscription-helpers";

// Cancel at period end, resume and change plan ask Stripe (the stand-in), with idempotency keys;
// the stored subscription changes only when the webhook reports it, and no credit moves.

let basic: Plan;
let pro: Plan;
beforeAll(async () => {
  ({ basic, pro } = await basicAndPro());
});

describe("changing a subscription through Stripe", () => {
  it("cancel sets cancel_at_period_end at Stripe; the stored status follows the webhook; resume clears it", async () => {
    const s = await subscriber();
    const sub = await liveSubscription(s.customer, basic.price);
    const t = nowSeconds();
    // A double click: two requests, one Stripe update (the same idempotency key).
    const [a, b] = await Promise.all([0, 1].map(() => s.user.fetch("/api/billing/subscription/cancel", { method: "POST", json: {} })));
    expect([a!.status, b!.status]).toEqual([202, 202]);
    expect(await a!.json()).toMatchObject({ subscription: { id: sub.id, cancel_at_period_end: true } });
    let updates = await updatesOf(sub.id);
    expect(updates).toHaveLength(1);
    expect(updates[0]!.params).toEqual({ cancel_at_period_end: "true" });
    expect(updates[0]!.idempotency_key).toMatch(new RegExp(`^sub-cancel-${sub.id}-`));
    // Nothing stored until Stripe says so.
    expect(await subscriptionOf(s.user.userId)).toMatchObject({ status: "active", cancel_at_period_end: 0 });
    await send(subscriptionEvent("customer.subscription.updated", { sub: sub.id, customer: s.customer }, basic.price, t + 1, { cancel: true }));
    expect(await subscriptionOf(s.user.userId)).toMatchObject({ status: "active", cancel_at_period_end: 1 });

    const resumed = await s.user.fetch("/api/billing/subscription/resume", { method: "POST", json: {} });
    expect(resumed.status).toBe(202);
    updates = await updatesOf(sub.id);
    expect(updates).toHaveLength(2);
    expect(updates[1]!.params).toEqual({ cancel_at_period_end: "false" });
    expect(updates[1]!.idempotency_key).toMatch(new RegExp(`^sub-resume-${sub.id}-`));
    await send(subscriptionEvent("customer.subscription.updated", { sub: sub.id, customer: s.customer }, basic.price, t + 2, { cancel: false }));
    expect(await subscriptionOf(s.user.userId)).toMatchObject({ status: "active", cancel_at_period_end: 0 });
  });

  it("change swaps the subscription item's price with Stripe's proration, invoiced at once and applied only if paid; no credit moves here", async () => {
    const s = await subscriber();
    const sub = await liveSubscription(s.customer, basic.price);
    const res = await s.user.fetch("/api/billing/subscription/change", { method: "POST", json: { plan_id: pro.id } });
    expect(res.status, await res.clone().text()).toBe(202);
    expect(await res.json()).toMatchObject({ subscription: { id: sub.id, plan_id: pro.id } });
    const updates = await updatesOf(sub.id);
    expect(updates).toHaveLength(1);
    expect(updates[0]!.params).toEqual({
      items: [{ id: sub.items.data[0]!.id, price: pro.price }], proration_behavior: "always_invoice", payment_behavior: "pending_if_incomplete",
    });
    expect(updates[0]!.idempotency_key).toMatch(new RegExp(`^sub-change-${sub.id}-${pro.id}-`));
    // The stored plan is still basic until the webhook; the wallet got no credit from the route.
    expect(await subscriptionOf(s.user.userId)).toMatchObject({ plan_id: basic.id });
    expect((await account(s.user.userId).summary()).balanceNano).toBe(0);
    await send(subscriptionEvent("customer.subscription.updated", { sub: sub.id, customer: s.customer }, pro.price, nowSeconds() + 1));
    expect(await subscriptionOf(s.user.userId)).toMatchObject({ plan_id: pro.id });
  });

  it("refusals: the same plan 409, an unknown plan 404, no live subscription 404, a canceled one 404; Stripe is not asked", async () => {
    const s = await subscriber();
    const none = await s.user.fetch("/api/billing/subscription/cancel", { method: "POST", json: {} });
    expect(none.status).toBe(404);
    expect(await none.json()).toMatchObject({ error: { code: "no_subscription" } });
    const sub = await liveSubscription(s.customer, basic.price);
    const same = await s.user.fetch("/api/billing/subscription/change", { method: "POST", json: { plan_id: basic.id } });
    expect(same.status).toBe(409);
    expect(await same.json()).toMatchObject({ error: { code: "already_on_plan", param: "plan_id" } });
    const unknown = await s.user.fetch("/api/billing/subscription/change", { method: "POST", json: { plan_id: "no-such-plan" } });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: "plan_not_found" } });
    await send(subscriptionEvent("customer.subscription.deleted", { sub: sub.id, customer: s.customer }, basic.price, nowSeconds() + 5, { status: "canceled" }));
    for (const path of ["cancel", "resume"]) {
      expect((await s.user.fetch(`/api/billing/subscription/${path}`, { method: "POST", json: {} })).status).toBe(404);
    }
    expect(await updatesOf(sub.id)).toEqual([]);
  });
});
