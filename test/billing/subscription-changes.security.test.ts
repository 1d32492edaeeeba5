import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { BASE } from "../helpers/gateway";
import { basicAndPro, liveSubscription, subscriber, subscriptionOf, updatesOf, type Plan } from "./subscription-helpers";

// Only the owner changes a subscription: the routes act on the caller's own live subscription
// (found by their user id), and another user's cannot even be named.

let basic: Plan;
let pro: Plan;
beforeAll(async () => {
  ({ basic, pro } = await basicAndPro());
});

const ROUTES = [
  ["cancel", {}], ["resume", {}], ["change", { plan_id: "" }],
] as const;

describe("subscription changes: only the owner's subscription", () => {
  it("another user's cancel, resume and change never reach the owner's subscription at Stripe", async () => {
    const owner = await subscriber();
    const ownerSub = await liveSubscription(owner.customer, basic.price);
    const other = await subscriber();
    for (const [action, body] of ROUTES) {
      const json = action === "change" ? { plan_id: pro.id } : body;
      // Without a subscription of their own: 404, whatever the owner has.
      const res = await other.user.fetch(`/api/billing/subscription/${action}`, { method: "POST", json });
      expect(res.status, action).toBe(404);
      const text = await res.text();
      expect(text).not.toContain(ownerSub.id);
      // Naming the owner's subscription is refused by the strict body.
      const named = await other.user.fetch(`/api/billing/subscription/${action}`, { method: "POST", json: { ...json, subscription_id: ownerSub.id } });
      expect(named.status, action).toBe(400);
      expect(await named.json()).toMatchObject({ error: { code: "unknown_parameter", param: "subscription_id" } });
    }
    // With a subscription of their own, each change goes to theirs only.
    const otherSub = await liveSubscription(other.customer, basic.price);
    for (const action of ["cancel", "resume", "change"]) {
      const res = await other.user.fetch(`/api/billing/subscription/${action}`, { method: "POST", json: action === "change" ? { plan_id: pro.id } : {} });
      expect(res.status, action).toBe(202);
    }
    expect((await updatesOf(otherSub.id)).length).toBe(3);
    expect(await updatesOf(ownerSub.id)).toEqual([]);
    expect(await subscriptionOf(owner.user.userId)).toMatchObject({ plan_id: basic.id, status: "active", cancel_at_period_end: 0 });
  });

  it("without a session (and its CSRF token): refused 401/403, and Stripe is not asked", async () => {
    const owner = await subscriber();
    const sub = await liveSubscription(owner.customer, basic.price);
    for (const [action, body] of ROUTES) {
      const res = await SELF.fetch(`${BASE}/api/billing/subscription/${action}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      expect([401, 403], action).toContain(res.status);
      await res.arrayBuffer();
    }
    expect(await updatesOf(sub.id)).toEqual([]);
  });
});
