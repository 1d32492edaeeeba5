import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { account, admin } from "../helpers/gateway";
import { signedInUser, type SessionUser } from "../helpers/session";
import { completed, deliver, ledgerRows, refunded, standinStripe, startTopup, uid } from "./stripe-helpers";

const CENT = 10_000_000; // nUSD per cent
const DAY_MS = 86_400_000;

async function paidUser(credits: string, amountUsd: string, pi?: string) {
  const user = await signedInUser(credits);
  const p = await startTopup(user, amountUsd, pi);
  expect(await deliver(completed(p))).toBe(200);
  return { user, p };
}

const refundable = async (user: SessionUser) => ((await (await user.fetch("/api/billing/refunds")).json()) as { refundable_usd: string }).refundable_usd;

async function request(user: SessionUser, json: Record<string, unknown>) {
  const res = await user.fetch("/api/billing/refunds", { method: "POST", json });
  return { status: res.status, body: (await res.json()) as { id: string; status: string; amount_usd: string; error?: { code: string } } };
}

describe("refunds reported by Stripe (charge.refunded)", () => {
  it("debits two partial refunds (cumulative 300 then 700 cents) as exactly 3.00 and then 4.00", async () => {
    const { user, p } = await paidUser("0", "10.00");
    const stub = account(user.userId);
    expect(await deliver(refunded(p, 300))).toBe(200);
    expect((await stub.summary()).balanceNano).toBe((1000 - 300) * CENT);
    expect(await deliver(refunded(p, 700))).toBe(200);
    expect((await stub.summary()).balanceNano).toBe((1000 - 700) * CENT);
    // A late copy of the first report (a new event id, lower cumulative) changes nothing.
    expect(await deliver(refunded(p, 300))).toBe(200);
    await stub.flushOutbox();
    const rows = (await ledgerRows(user.userId)).filter((r) => r.kind === "refund");
    expect(rows).toEqual([
      { kind: "refund", amount_nano: -300 * CENT, ref: `chargerefund:${p.charge}:300` },
      { kind: "refund", amount_nano: -400 * CENT, ref: `chargerefund:${p.charge}:700` },
    ]);
  });
});

describe("operator-approved refunds", () => {
  it("refunds through Stripe with an idempotency key, and a retried approval refunds and debits once", async () => {
    const { user, p } = await paidUser("0", "10.00");
    const req = await request(user, { amount_usd: "4.00", reason: "not needed" });
    expect(req.status).toBe(201);
    expect(req.body).toMatchObject({ status: "requested", amount_usd: "4.00", source: "user", reason: "not needed" });
    const approve = () => admin(`/refunds/${req.body.id}/approve`, { method: "POST", json: {} });
    const first = await approve();
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ id: req.body.id, status: "refunded", user_id: user.userId });
    // A crash after Stripe answered looks like a request left "approved" (its approval began longer ago
    // than the lease): approving again must not refund twice.
    await env.DB.prepare("UPDATE refund_requests SET status = 'approved', decided_at = ? WHERE id = ?").bind(Date.now() - 3_600_000, req.body.id).run();
    expect((await approve()).status).toBe(200);
    expect((await approve()).status).toBe(200);

    const key = `refund-${req.body.id}-${p.pi}`;
    const stats = await standinStripe();
    const mine = stats.refunds.filter((r) => r.payment_intent === p.pi);
    expect(mine).toEqual([expect.objectContaining({ amount: 400, idempotency_key: key })]);
    // Created once; the resumed approval only retrieved the refund it already knew by id.
    expect(stats.requests.filter((r) => r.path === "/v1/refunds" && r.idempotency_key === key)).toHaveLength(1);
    expect(stats.requests.filter((r) => r.method === "GET" && r.path === `/v1/refunds/${mine[0]!.id}`)).toHaveLength(1);

    const stub = account(user.userId);
    expect((await stub.summary()).balanceNano).toBe((1000 - 400) * CENT);
    // Stripe then reports the same refund, with and without the refund list: still debited once.
    expect(await deliver(refunded(p, 400))).toBe(200);
    expect(await deliver(refunded(p, 400, [{ id: mine[0]!.id, amount: 400 }]))).toBe(200);
    expect((await stub.summary()).balanceNano).toBe((1000 - 400) * CENT);
    await stub.flushOutbox();
    // One debit: the hold taken before Stripe was asked (ref refundhold:<request>:<payment>:<attempt>).
    expect((await ledgerRows(user.userId)).filter((r) => r.kind === "refund")).toEqual([{ kind: "refund", amount_nano: -400 * CENT, ref: `refundhold:${req.body.id}:${p.pi}:1` }]);
    // The request is settled; the rest (6.00) is still refundable.
    expect(await refundable(user)).toBe("6.00");
  });

  it("marks the request failed and debits nothing when Stripe refuses", async () => {
    const { user } = await paidUser("0", "10.00", uid("pi_fail"));
    const req = await request(user, {});
    expect(req.body).toMatchObject({ status: "requested", amount_usd: "10.00" });
    const res = await admin(`/refunds/${req.body.id}/approve`, { method: "POST", json: {} });
    expect(await res.json()).toMatchObject({ status: "failed" });
    expect((await account(user.userId).summary()).balanceNano).toBe(1000 * CENT);
    const rejected = await admin(`/refunds/${req.body.id}/reject`, { method: "POST", json: {} });
    expect(await rejected.json()).toMatchObject({ status: "rejected" });
    const queue = (await (await admin("/refunds?status=rejected&limit=500")).json()) as { data: { id: string; user_id: string }[] };
    expect(queue.data.find((r) => r.id === req.body.id)).toMatchObject({ user_id: user.userId, status: "rejected", decided_by: "operator-token" });
    const open = (await (await admin("/refunds?status=requested&limit=500")).json()) as { data: { id: string }[] };
    expect(open.data.map((r) => r.id)).not.toContain(req.body.id);
    expect(await refundable(user)).toBe("10.00");
  });
});

describe("refund status emails (P25)", () => {
  it("mails the user once when a request is refunded and once when one is rejected, even if the decision is retried", async () => {
    const { user } = await paidUser("0", "10.00");
    const a = await request(user, { amount_usd: "2.00" });
    const b = await request(user, { amount_usd: "1.00" });
    expect((await admin(`/refunds/${a.body.id}/approve`, { method: "POST", json: {} })).status).toBe(200);
    expect((await admin(`/refunds/${a.body.id}/approve`, { method: "POST", json: {} })).status).toBe(200);
    expect((await admin(`/refunds/${b.body.id}/reject`, { method: "POST", json: {} })).status).toBe(200);
    expect((await admin(`/refunds/${b.body.id}/reject`, { method: "POST", json: {} })).status).toBe(200);
    const { results } = await env.DB.prepare("SELECT to_address, data FROM email_outbox WHERE user_id = ? AND template = 'refund_update' ORDER BY id")
      .bind(user.userId).all<{ to_address: string; data: string }>();
    expect(results.map((r) => ({ to: r.to_address, ...JSON.parse(r.data) }))).toEqual(expect.arrayContaining([
      { to: user.email, amount_usd: "2.00", status: "refunded" },
      { to: user.email, amount_usd: "1.00", status: "rejected" },
    ]));
    expect(results).toHaveLength(2);
  });
});

describe("the refund rule", () => {
  it("refunds only unused purchased credit from the window, never free credit", async () => {
    // 5.00 granted + 10.00 bought = 15.00; refundable = min(15.00, 10.00 bought) = 10.00
    const { user, p } = await paidUser("5.00", "10.00");
    expect(await refundable(user)).toBe("10.00");
    // 7.00 used (an operator adjustment stands in for usage): min(8.00, 10.00) = 8.00
    const used = await admin(`/users/${user.userId}/credits`, { method: "POST", json: { amount_usd: "-7.00", note: "usage stand-in" } });
    expect(used.status).toBe(201);
    expect(await refundable(user)).toBe("8.00");
    expect((await request(user, { amount_usd: "8.01" })).body.error?.code).toBe("amount_not_refundable");
    expect((await request(user, { amount_usd: "1.005" })).body.error?.code).toBe("invalid_amount");
    const r = await request(user, { amount_usd: "3.00" });
    expect(r.status).toBe(201);
    // An open request holds its amount: 8.00 − 3.00
    expect(await refundable(user)).toBe("5.00");
    // The purchase leaves the 30-day window: nothing is refundable (the grant never is).
    await env.DB.prepare("UPDATE topups SET paid_at = ? WHERE id = ?").bind(Date.now() - 31 * DAY_MS, p.topupId).run();
    expect(await refundable(user)).toBe("0.00");
    expect((await request(user, {})).body.error?.code).toBe("amount_not_refundable");
  });

  it("offers nothing to an account that only has free credit", async () => {
    const user = await signedInUser("20.00");
    expect(await refundable(user)).toBe("0.00");
    expect((await request(user, { amount_usd: "1.00" })).status).toBe(400);
  });
});
