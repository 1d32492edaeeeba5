import { describe, expect, it } from "vitest";
import { signedInUser } from "../helpers/session";
import { standinStripe } from "../billing/stripe-helpers";
import { adjust, chargesFor, optIn, saveCard, sentence } from "../billing/auto-topup-helpers";
import { account } from "../helpers/gateway";

/**
 * P7: no automatic recharge without explicit opt-in. A top-up is a one-off Checkout payment the
 * user starts, which never asks Stripe to keep the card for later charges. The only automatic
 * charge is the auto top-up, which is off until the user confirms a sentence naming its
 * threshold, amount and monthly cap; both sides are proven here.
 */
describe("P7: no automatic recharge without opt-in", () => {
  it("a top-up asks Stripe for a one-off payment and never to save the card for later charges", async () => {
    const user = await signedInUser("0");
    const res = await user.fetch("/api/billing/checkout", { method: "POST", json: { amount_usd: "10.00" } });
    expect(res.status).toBe(200);
    const { checkout_id } = (await res.json()) as { checkout_id: string };
    const session = (await standinStripe()).sessions.find((s) => s.id === checkout_id)!;
    expect(session.mode).toBe("payment");
    // Exactly what a one-off payment needs; a saved card or a subscription would add fields here.
    expect(session.requested_params.filter((k) => !["billing_address_collection", "cancel_url", "client_reference_id", "customer", "customer_update", "line_items", "metadata", "mode", "payment_intent_data", "success_url", "tax_id_collection"].includes(k))).toEqual([]);
    expect(session.payment_intent_data?.setup_future_usage).toBeUndefined();
    expect(session.payment_intent_data?.off_session).toBeUndefined();
  });

  it("auto top-up is off by default and nothing is charged without an explicit opt-in naming threshold, amount and cap", async () => {
    const user = await signedInUser("10.00");
    await saveCard(user);
    expect(await (await user.fetch("/api/billing/auto-topup")).json()).toMatchObject({ enabled: false, payment_method: { brand: "visa" } });
    // Turning it on without the confirmation sentence, or with one naming other figures, is refused.
    const figures = { enabled: true, threshold_usd: "5.00", amount_usd: "20.00", monthly_cap_usd: "100.00" };
    for (const confirmation of [undefined, "yes", sentence("20.00", "5.00", "200.00")]) {
      const res = await user.fetch("/api/billing/auto-topup", { method: "PUT", json: { ...figures, ...(confirmation === undefined ? {} : { confirmation }) } });
      expect(res.status, String(confirmation)).toBe(400);
    }
    await adjust(user.userId, -8 * 1_000_000_000); // 10.00 → 2.00: far below the threshold it would have had
    await account(user.userId).runAutoTopups();
    expect(await chargesFor(user.userId)).toEqual([]);
    expect((await account(user.userId).ledger()).filter((e) => e.kind === "purchase")).toEqual([]);
  });

  it("with the opt-in, the same crossing charges the saved card once, off-session", async () => {
    const user = await signedInUser("10.00");
    await saveCard(user);
    await optIn(user, "5.00", "20.00", "100.00");
    await adjust(user.userId, -8 * 1_000_000_000);
    await account(user.userId).runAutoTopups();
    expect((await chargesFor(user.userId)).map((c) => [c.amount, c.off_session])).toEqual([[2000, true]]);
  });

});
