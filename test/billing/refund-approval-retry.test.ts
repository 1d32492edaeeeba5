import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { account } from "../helpers/gateway";
import { approve, CENT, forgetIdempotencyKey, netRefundsNano, requestRefund, userWithPayments } from "./refund-fixtures";
import { standinStripe, uid } from "./stripe-helpers";

const status = async (id: string) => (await env.DB.prepare("SELECT status FROM refund_requests WHERE id = ?").bind(id).first<{ status: string }>())?.status;

describe("re-approving a refund request after Stripe forgot the idempotency key", () => {
  it("retrieves the refund Stripe already made instead of creating a second one", async () => {
    // 10.00 paid with a refundable card, then 10.00 with one Stripe refuses (newest, so split first).
    const ok = uid("pi");
    const { user } = await userWithPayments(["10.00", ok], ["10.00", uid("pi_fail")]);
    // 15.00 = 10.00 from the newest payment (refused) + 5.00 (500 cents) from the older one.
    const id = await requestRefund(user, { amount_usd: "15.00" });
    expect((await approve(id)).body.status).toBe("failed");
    const stub = account(user.userId);
    expect((await stub.summary()).balanceNano).toBe((2000 - 500) * CENT);

    // A day later: Stripe no longer knows the key of the refund it made; the operator resumes the request.
    const key = `refund-${id}-${ok}`;
    expect(await forgetIdempotencyKey(key)).toBe(1);
    const again = await approve(id);
    expect(again).toMatchObject({ status: 200, body: { status: "failed" } });

    const stats = await standinStripe();
    expect(stats.refunds.filter((r) => r.payment_intent === ok)).toEqual([expect.objectContaining({ amount: 500, idempotency_key: key })]);
    expect(stats.requests.filter((r) => r.method === "POST" && r.idempotency_key === key)).toHaveLength(1);
    // Refunded once, debited once: 20.00 − 5.00.
    expect((await stub.summary()).balanceNano).toBe((2000 - 500) * CENT);
    expect(netRefundsNano(await stub.ledger(100))).toBe(-500 * CENT);
  });

  it("resumes a request left 'approved' by a crash without refunding again", async () => {
    const pi = uid("pi");
    const { user } = await userWithPayments(["10.00", pi]);
    const id = await requestRefund(user, { amount_usd: "3.00" });
    expect((await approve(id)).body.status).toBe("refunded");
    // The crash: the final status was never written, and the approval began well over the lease ago.
    await env.DB.prepare("UPDATE refund_requests SET status = 'approved', decided_at = ? WHERE id = ?").bind(Date.now() - 3_600_000, id).run();
    await forgetIdempotencyKey(`refund-${id}-${pi}`);
    expect(await approve(id)).toMatchObject({ status: 200, body: { status: "refunded" } });
    expect((await standinStripe()).refunds.filter((r) => r.payment_intent === pi)).toHaveLength(1);
    expect((await account(user.userId).summary()).balanceNano).toBe((1000 - 300) * CENT);
  });
});

describe("concurrent approvals of one request", () => {
  it("refund once, debit once, and end 'refunded'; the second answers 409 refund_in_progress", async () => {
    // pi_slow_: the stand-in takes 1.5 s to refund, so both approvals overlap.
    const pi = uid("pi_slow");
    const { user } = await userWithPayments(["10.00", pi]);
    const id = await requestRefund(user, { amount_usd: "4.00" });
    const results = await Promise.all([approve(id), approve(id)]);
    const sorted = results.sort((a, b) => a.status - b.status);
    expect(sorted[0]).toMatchObject({ status: 200, body: { status: "refunded" } });
    expect(sorted[1]).toMatchObject({ status: 409, body: { error: { code: "refund_in_progress" } } });
    expect(await status(id)).toBe("refunded");

    const key = `refund-${id}-${pi}`;
    const stats = await standinStripe();
    expect(stats.refunds.filter((r) => r.payment_intent === pi)).toEqual([expect.objectContaining({ amount: 400, idempotency_key: key })]);
    expect(stats.requests.filter((r) => r.method === "POST" && r.idempotency_key === key)).toHaveLength(1);
    const stub = account(user.userId);
    expect((await stub.summary()).balanceNano).toBe((1000 - 400) * CENT);
    expect(netRefundsNano(await stub.ledger(100))).toBe(-400 * CENT);
    // Approving the finished request again is a no-op.
    expect(await approve(id)).toMatchObject({ status: 200, body: { status: "refunded" } });
  });
});
