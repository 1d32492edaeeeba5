import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { account, BASE } from "../helpers/gateway";
import { createOrg, joinOrg, orgCompleted, startOrgTopup } from "../helpers/orgs";
import { signedInUser } from "../helpers/session";
import { deliver, ledgerRows, standinStripe, uid } from "../billing/stripe-helpers";

const CENT = 10_000_000; // nUSD per cent

const billingDetails = {
  name: "Jane Buyer", business_name: "Acme Teams Ltd", address: { line1: "1 Main St", postal_code: "94105", city: "San Francisco", country: "US" },
  tax_ids: [{ type: "us_ein", value: "12-3456789" }],
};

describe("an organization's top-up (issue 15: billing members top up and see invoices)", () => {
  it("a billing member's checkout credits the organization's wallet by exactly the amount, with one ledger row, once however often Stripe delivers", async () => {
    const owner = await signedInUser("0");
    const orgId = await createOrg(owner, "Billing Co");
    const billing = await joinOrg(owner, orgId, "billing");
    const before = (await account(orgId).summary()).balanceNano;

    const res = await billing.fetch(`/api/orgs/${orgId}/topups/checkout`, { method: "POST", json: { amount_usd: "25.00" } });
    expect(res.status).toBe(200);
    const { checkout_id, url } = (await res.json()) as { checkout_id: string; url: string };
    // The stand-in's pay page returns the buyer to the Organizations page with the checkout id.
    const pay = await fetch(url, { redirect: "manual" });
    expect(pay.headers.get("location")).toBe(`${BASE}/organizations?org=${orgId}&checkout=${checkout_id}`);
    const row = await env.DB.prepare("SELECT id, user_id, amount_cents, status FROM topups WHERE checkout_session_id = ?").bind(checkout_id).first<{ id: string; user_id: string; amount_cents: number; status: string }>();
    expect(row).toMatchObject({ user_id: orgId, amount_cents: 2500, status: "pending" });
    const session = (await standinStripe()).sessions.find((s) => s.id === checkout_id)!;
    expect(session).toMatchObject({ metadata: { user_id: billing.userId, wallet_id: orgId, topup_id: row!.id }, client_reference_id: orgId });
    expect(session.payment_intent_data).toMatchObject({ metadata: { user_id: billing.userId, wallet_id: orgId, topup_id: row!.id } });
    expect(session.payment_intent_data?.setup_future_usage).toBeUndefined(); // P7: a one-off payment, the card is not saved
    const audit = await env.DB.prepare("SELECT actor, detail FROM audit_log WHERE action = 'org.topup_started' AND detail LIKE ?").bind(`${orgId}%`).all<{ actor: string; detail: string }>();
    expect(audit.results).toEqual([{ actor: billing.userId, detail: `${orgId} ${row!.id} 25.00 USD` }]);

    const p = { userId: orgId, topupId: row!.id, sessionId: checkout_id, pi: uid("pi"), charge: "ch_x", cents: 2500, metadata: session.metadata };
    const event = orgCompleted(p);
    for (const e of [event, event, orgCompleted(p)]) expect(await deliver(e)).toBe(200); // replayed, then resent under a new event id
    const stub = account(orgId);
    expect((await stub.summary()).balanceNano).toBe(before + 2500 * CENT);
    await stub.flushOutbox();
    expect((await ledgerRows(orgId)).filter((r) => r.kind === "purchase")).toEqual([{ kind: "purchase", amount_nano: 2500 * CENT, ref: checkout_id }]);
    // The paying member's own wallet gets nothing.
    expect((await account(billing.userId).summary()).balanceNano).toBe(0);
    expect(await ledgerRows(billing.userId)).toEqual([]);

    expect(await (await billing.fetch(`/api/orgs/${orgId}/topups/checkout/${checkout_id}`)).json()).toEqual({ status: "paid", amount_usd: "25.00" });
    expect(await (await owner.fetch(`/api/orgs/${orgId}`)).json()).toMatchObject({ balance_usd: "25.00" });
    // Not the member's personal top-up: the personal status and receipts do not list it.
    expect((await billing.fetch(`/api/billing/checkout/${checkout_id}`)).status).toBe(404);
    expect(await (await billing.fetch("/api/billing/receipts")).json()).toEqual({ data: [] });
  });

  it("owners, admins and billing members may start one; a plain member is refused 403, and the amount rules are the personal ones", async () => {
    const owner = await signedInUser("0");
    const orgId = await createOrg(owner);
    const admin = await joinOrg(owner, orgId, "admin");
    const member = await joinOrg(owner, orgId, "member");
    for (const who of [owner, admin]) expect((await startOrgTopup(who, orgId, "10.00")).cents).toBe(1000);
    const refused = await member.fetch(`/api/orgs/${orgId}/topups/checkout`, { method: "POST", json: { amount_usd: "10.00" } });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("forbidden");
    for (const path of [`/api/orgs/${orgId}/receipts`, `/api/orgs/${orgId}/topups/checkout/cs_test_00`]) expect((await member.fetch(path)).status, path).toBe(403);
    for (const amount of ["4.99", "1000.01", "5.001", "0", "ten"]) {
      const r = await owner.fetch(`/api/orgs/${orgId}/topups/checkout`, { method: "POST", json: { amount_usd: amount } });
      expect(r.status, amount).toBe(400);
      expect(((await r.json()) as { error: { code: string } }).error.code, amount).toBe("invalid_amount");
    }
    const { results } = await env.DB.prepare("SELECT amount_cents FROM topups WHERE user_id = ?").bind(orgId).all<{ amount_cents: number }>();
    expect(results.map((r) => r.amount_cents)).toEqual([1000, 1000]);
  });

  it("receipts list only the organization's paid top-ups, and download with the company's billing details", async () => {
    const owner = await signedInUser("0");
    const orgId = await createOrg(owner, "Receipts Org");
    const otherOrg = await createOrg(owner, "Other Org");
    const billing = await joinOrg(owner, orgId, "billing");
    const paid = await startOrgTopup(billing, orgId, "30.00");
    await startOrgTopup(billing, orgId, "40.00"); // never paid
    const other = await startOrgTopup(owner, otherOrg, "50.00");
    const personal = await owner.fetch("/api/billing/checkout", { method: "POST", json: { amount_usd: "60.00" } });
    expect(personal.status).toBe(200);
    const e = orgCompleted(paid);
    for (const ev of [{ ...e, object: { ...e.object, customer_details: billingDetails } }, orgCompleted(other)]) expect(await deliver(ev)).toBe(200);

    const list = (await (await billing.fetch(`/api/orgs/${orgId}/receipts`)).json()) as { data: Record<string, unknown>[] };
    expect(list.data).toEqual([expect.objectContaining({ id: paid.topupId, amount_usd: "30.00", company_name: "Acme Teams Ltd", tax_id: "US EIN 12-3456789" })]);
    const res = await billing.fetch(`/api/orgs/${orgId}/receipts/${paid.topupId}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="receipt-${paid.topupId}.html"`);
    const html = await res.text();
    for (const text of ["Acme Teams Ltd", "US EIN 12-3456789", "30.00 USD", paid.topupId]) expect(html).toContain(text);
    // Another organization's receipt is not found through this one, nor a member's personal one.
    expect((await billing.fetch(`/api/orgs/${orgId}/receipts/${other.topupId}`)).status).toBe(404);
    expect((await owner.fetch(`/api/orgs/${otherOrg}/receipts`)).status).toBe(200);
    expect(((await (await owner.fetch(`/api/orgs/${otherOrg}/receipts`)).json()) as { data: { id: string }[] }).data.map((r) => r.id)).toEqual([other.topupId]);
    expect(await (await owner.fetch("/api/billing/receipts")).json()).toEqual({ data: [] });
  });
});
