import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { config } from "../../src/config";
import type { Env } from "../../src/env";
import { sha256Hex } from "../../src/lib/api-key";
import { TEST_PRICE } from "../helpers/catalog";
import { account, admin } from "../helpers/gateway";
import { approve, CENT, netRefundsNano, requestRefund, userWithPayments } from "./refund-fixtures";
import { standinStripe, uid } from "./stripe-helpers";

const CFG = config(env as unknown as Env);
const OVERDRAFT = CFG.overdraftNano; // OVERDRAFT_LIMIT_USD default 0.05 USD

async function apiKey(userId: string): Promise<{ keyId: string; keyHash: string }> {
  const res = await admin(`/users/${userId}/keys`, { method: "POST", json: { name: "spender" } });
  expect(res.status).toBe(201);
  const { id, key } = (await res.json()) as { id: string; key: string };
  return { keyId: id, keyHash: await sha256Hex(key) };
}

/** Waits until the stand-in has received the refund call with this key (Stripe is now "working"). */
async function stripeIsRefunding(key: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await standinStripe()).requests.some((r) => r.path === "/v1/refunds" && r.idempotency_key === key)) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("the refund never reached the stand-in");
}

describe("the refund amount is held before Stripe is asked", () => {
  it("an API spend while Stripe answers cannot take the balance below −overdraft", async () => {
    const pi = uid("pi_slow"); // the stand-in takes 1.5 s to refund it
    const { user } = await userWithPayments(["10.00", pi]);
    const { keyId, keyHash } = await apiKey(user.userId);
    const id = await requestRefund(user, {}); // everything refundable: 10.00
    const approval = approve(id);
    await stripeIsRefunding(`refund-${id}-${pi}`);

    // A request during the Stripe call: 100,000 prompt tokens × 1000 + 1000 output × 2000 = 0.102 USD (> overdraft).
    const stub = account(user.userId);
    const requestId = uid("gen");
    const admitted = await stub.admit({
      keyHash, requestId, model: "test-echo", now: Date.now(), inputPrice: TEST_PRICE.input, outputPrice: TEST_PRICE.output,
      promptTokensEstimate: 100_000, requestedMaxOutput: 1000, modelMaxOutput: 1000, settings: CFG,
    });
    if (admitted.ok) {
      await stub.settle({
        requestId, keyId, model: "test-echo", provider: "openai", attempts: 1, endpoint: "chat.completions", stream: false,
        startedAt: Date.now(), latencyMs: 1, status: "success", httpStatus: 200, errorCode: null, promptTokens: 100_000,
        completionTokens: 1000, cachedTokens: 0, reasoningTokens: 0, costNano: admitted.reservedNano, usageSource: "upstream", overdraftNano: OVERDRAFT,
      });
    }
    expect((await approval).body.status).toBe("refunded");

    const s = await stub.summary();
    expect(s.balanceNano).toBeGreaterThanOrEqual(-OVERDRAFT);
    // The 10.00 was already out of the balance: nothing was left to spend.
    expect(admitted).toMatchObject({ ok: false, status: 402, code: "insufficient_credits" });
    expect(s.balanceNano).toBe(0);
    expect(netRefundsNano(await stub.ledger(100))).toBe(-1000 * CENT);
  });

  it("refuses 409 insufficient_balance when the credit was spent after asking, and leaves the request open", async () => {
    const pi = uid("pi");
    const { user } = await userWithPayments(["10.00", pi]);
    const id = await requestRefund(user, { amount_usd: "10.00" });
    const spent = await admin(`/users/${user.userId}/credits`, { method: "POST", json: { amount_usd: "-1.00", note: "usage stand-in" } });
    expect(spent.status).toBe(201);
    expect(await approve(id)).toMatchObject({ status: 409, body: { error: { code: "insufficient_balance" } } });
    const row = await env.DB.prepare("SELECT status, decided_at FROM refund_requests WHERE id = ?").bind(id).first();
    expect(row).toEqual({ status: "requested", decided_at: null });
    expect((await standinStripe()).requests.filter((r) => r.idempotency_key === `refund-${id}-${pi}`)).toEqual([]);
    expect((await account(user.userId).summary()).balanceNano).toBe((1000 - 100) * CENT);
  });

  it("credits the hold back when Stripe refuses, and a rejected request keeps nothing held", async () => {
    const { user } = await userWithPayments(["10.00", uid("pi_fail")]);
    const id = await requestRefund(user, { amount_usd: "6.00" });
    expect((await approve(id)).body.status).toBe("failed");
    const stub = account(user.userId);
    expect((await stub.summary()).balanceNano).toBe(1000 * CENT);
    const refunds = (await stub.ledger(100)).filter((e) => e.kind === "refund").map((e) => e.amountNano).sort((a, b) => a - b);
    expect(refunds).toEqual([-600 * CENT, 600 * CENT]); // the hold and its release
    const rejected = await admin(`/refunds/${id}/reject`, { method: "POST", json: {} });
    expect(rejected.status).toBe(200);
    expect((await stub.summary()).balanceNano).toBe(1000 * CENT);
  });
});
