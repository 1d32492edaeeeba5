import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { BASE } from "../helpers/gateway";
import { signedInUser, TEST_CSRF } from "../helpers/session";
import { standinStripe } from "./stripe-helpers";

async function checkout(user: Awaited<ReturnType<typeof signedInUser>>, amount: unknown) {
  const res = await user.fetch("/api/billing/checkout", { method: "POST", json: { amount_usd: amount } });
  return { status: res.status, body: (await res.json()) as { checkout_id: string; url: string; error?: { code: string; param: string } } };
}

describe("POST /api/billing/checkout", () => {
  it("creates one Stripe customer per user and a payment-mode session, each call with an idempotency key", async () => {
    const user = await signedInUser("0");
    const results = await Promise.all([checkout(user, "25.00"), checkout(user, "25.00")]);
    results.push(await checkout(user, "10.00"));
    for (const r of results) expect(r.status).toBe(200);

    const stats = await standinStripe();
    const customers = stats.customers.filter((c) => c.metadata.user_id === user.userId);
    expect(customers).toHaveLength(1);
    const row = await env.DB.prepare("SELECT stripe_customer_id FROM users WHERE id = ?").bind(user.userId).first<{ stripe_customer_id: string }>();
    expect(row!.stripe_customer_id).toBe(customers[0]!.id);
    const customerCalls = stats.requests.filter((r) => r.path === "/v1/customers" && r.idempotency_key === `customer-${user.userId}`);
    expect(customerCalls.length).toBeGreaterThanOrEqual(1);
    expect(customerCalls.length).toBeLessThanOrEqual(2);

    const { results: topups } = await env.DB.prepare("SELECT id, checkout_session_id, amount_cents, status FROM topups WHERE user_id = ? ORDER BY id")
      .bind(user.userId).all<{ id: string; checkout_session_id: string; amount_cents: number; status: string }>();
    expect(topups.map((t) => [t.amount_cents, t.status])).toEqual([[2500, "pending"], [2500, "pending"], [1000, "pending"]]);
    for (const t of topups) {
      const session = stats.sessions.find((s) => s.id === t.checkout_session_id)!;
      expect(session).toMatchObject({
        amount_total: t.amount_cents, mode: "payment", currency: "usd", customer: customers[0]!.id, client_reference_id: user.userId,
        metadata: { user_id: user.userId, topup_id: t.id }, success_url: `${BASE}/billing/success?checkout={CHECKOUT_SESSION_ID}`,
      });
      expect(stats.requests.filter((r) => r.path === "/v1/checkout/sessions" && r.idempotency_key === `checkout-${t.id}`)).toHaveLength(1);
      expect(results.map((r) => r.body.checkout_id)).toContain(t.checkout_session_id);
    }
  });

  it("refuses amounts outside 5.00–1000.00 USD or not in whole cents", async () => {
    const user = await signedInUser("0");
    for (const amount of ["4.99", "1000.01", "5.001", "0", "-10.00", "ten"]) {
      const r = await checkout(user, amount);
      expect(r.status, amount).toBe(400);
      expect(r.body.error?.code, amount).toBe("invalid_amount");
    }
    expect((await checkout(user, "5.00")).status).toBe(200);
    expect((await checkout(user, "1000.00")).status).toBe(200);
    expect((await checkout(user, 50)).status).toBe(200);
  });

  it("refuses an account whose email is not verified", async () => {
    const user = await signedInUser("0");
    await env.DB.prepare("UPDATE users SET email_verified_at = NULL WHERE id = ?").bind(user.userId).run();
    const r = await checkout(user, "10.00");
    expect(r.status).toBe(403);
    expect(r.body.error?.code).toBe("email_not_verified");
  });

  it("sends the buyer to the stand-in's pay page, which returns to the success URL; only the webhook credits", async () => {
    const user = await signedInUser("0");
    const r = await checkout(user, "10.00");
    const pay = await fetch(r.body.url, { redirect: "manual" });
    expect(pay.status).toBe(303);
    expect(pay.headers.get("location")).toBe(`${BASE}/billing/success?checkout=${r.body.checkout_id}`);
    expect((await standinStripe()).sessions.find((s) => s.id === r.body.checkout_id)).toMatchObject({ payment_status: "paid" });
    const status = await user.fetch(`/api/billing/checkout/${r.body.checkout_id}`);
    expect(await status.json()).toEqual({ status: "pending", amount_usd: "10.00" });
  });
});

describe("GET /api/billing/config", () => {
  it("reports the bounds and presets", async () => {
    const user = await signedInUser("0");
    const res = await user.fetch("/api/billing/config");
    expect(await res.json()).toEqual({
      enabled: true, currency: "usd", min_usd: "5.00", max_usd: "1000.00",
      presets_usd: ["5.00", "10.00", "25.00", "50.00", "100.00"], refund_window_days: 30,
    });
  });

  it("says disabled, and checkout answers 503 topup_not_configured, without STRIPE_SECRET_KEY", async () => {
    const user = await signedInUser("0");
    const unconfigured = { ...env, STRIPE_SECRET_KEY: undefined };
    const call = async (path: string, init: RequestInit = {}) => {
      const ctx = createExecutionContext();
      const headers = { cookie: user.cookie, origin: BASE, "x-csrf-token": TEST_CSRF, "content-type": "application/json" };
      const res = await createApp().fetch(new Request(`${BASE}${path}`, { ...init, headers }), unconfigured, ctx);
      await waitOnExecutionContext(ctx);
      return res;
    };
    expect(await (await call("/api/billing/config")).json()).toMatchObject({ enabled: false });
    const res = await call("/api/billing/checkout", { method: "POST", body: JSON.stringify({ amount_usd: "10.00" }) });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("topup_not_configured");
  });
});
