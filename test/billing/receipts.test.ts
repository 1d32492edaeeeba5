import { describe, expect, it } from "vitest";
import { signedInUser } from "../helpers/session";
import { completed, deliver, startTopup, uid } from "./stripe-helpers";

const billingDetails = {
  name: "Jane Buyer", business_name: "ACME Robotics GmbH", email: "jane@acme.test",
  address: { line1: "Hauptstr. 1", line2: null, postal_code: "10115", city: "Berlin", state: null, country: "DE" },
  tax_ids: [{ type: "eu_vat", value: "DE123456789" }], tax_exempt: "none",
};

describe("receipts (P8): billing details, tax ID and payment method", () => {
  it("a paid top-up has a downloadable receipt naming the company, tax ID, card brand and last 4, in either event order", async () => {
    for (const order of ["charge-first", "session-first"] as const) {
      const user = await signedInUser("0");
      const p = await startTopup(user, "25.00");
      const session = completed(p);
      session.object = { ...session.object, customer_details: billingDetails };
      const charge = {
        id: uid("evt"), type: "charge.succeeded",
        object: { id: p.charge, object: "charge", amount: 2500, currency: "usd", payment_intent: p.pi, status: "succeeded", payment_method_details: { type: "card", card: { brand: "visa", last4: "4242", exp_month: 12, exp_year: 2030 } } },
      };
      for (const e of order === "charge-first" ? [charge, session] : [session, charge]) expect(await deliver(e)).toBe(200);

      const list = (await (await user.fetch("/api/billing/receipts")).json()) as { data: Record<string, unknown>[] };
      expect(list.data).toEqual([expect.objectContaining({
        id: p.topupId, amount_usd: "25.00", company_name: "ACME Robotics GmbH", tax_id: "EU VAT DE123456789",
        address: "Hauptstr. 1, 10115 Berlin, DE", payment_method: { brand: "visa", last4: "4242" },
      })]);
      const res = await user.fetch(`/api/billing/receipts/${p.topupId}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-disposition")).toBe(`attachment; filename="receipt-${p.topupId}.html"`);
      const html = await res.text();
      for (const text of ["ACME Robotics GmbH", "EU VAT DE123456789", "VISA •••• 4242", "25.00 USD", p.topupId]) expect(html, order).toContain(text);
      expect(html).not.toMatch(/4242424242424242/);

      const other = await signedInUser("0");
      expect((await other.fetch(`/api/billing/receipts/${p.topupId}`)).status).toBe(404);
    }
  });
});
