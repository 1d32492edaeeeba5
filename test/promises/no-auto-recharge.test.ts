import { describe, expect, it } from "vitest";
import { signedInUser } from "../helpers/session";
import { standinStripe } from "../billing/stripe-helpers";

/**
 * P7: no automatic recharge. A top-up is a one-off Checkout payment the user starts; the gateway
 * never asks Stripe to keep the card for later (setup_future_usage, setup mode, subscriptions) and
 * has no route that charges without the user: money only arrives through a completed Checkout.
 */
describe("P7: no automatic recharge", () => {
  it("a top-up asks Stripe for a one-off payment and never to save the card for later charges", async () => {
    const user = await signedInUser("0");
    const res = await user.fetch("/api/billing/checkout", { method: "POST", json: { amount_usd: "10.00" } });
    expect(res.status).toBe(200);
    const { checkout_id } = (await res.json()) as { checkout_id: string };
    const session = (await standinStripe()).sessions.find((s) => s.id === checkout_id)!;
    expect(session.mode).toBe("payment");
    // Exactly what a one-off payment needs; a saved card or a subscription would add fields here.
    expect(session.requested_params.filter((k) => !["cancel_url", "client_reference_id", "customer", "line_items", "metadata", "mode", "payment_intent_data", "success_url"].includes(k))).toEqual([]);
    expect(session.payment_intent_data?.setup_future_usage).toBeUndefined();
    expect(session.payment_intent_data?.off_session).toBeUndefined();
  });

  it("the API offers no recharge or saved-card setting", async () => {
    const user = await signedInUser("0");
    for (const [method, path] of [["POST", "/api/billing/auto-recharge"], ["PUT", "/api/billing/auto-recharge"], ["POST", "/api/billing/payment-methods"]] as const) {
      const res = await user.fetch(path, { method, json: { enabled: true, threshold_usd: "5.00", amount_usd: "20.00" } });
      expect(res.status, path).toBe(404);
    }
  });
});
