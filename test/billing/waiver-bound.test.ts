import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { SettleInput } from "../../src/account/types";
import { chargeFor } from "../../src/lib/charge";
import { nano, parseUsd } from "../../src/lib/money";
import { config } from "../../src/config";
import type { Env } from "../../src/env";
import { sha256Hex } from "../../src/lib/api-key";
import { TEST_PRICE } from "../helpers/catalog";
import { account, admin, createUser } from "../helpers/gateway";

// Issue 12 items 1 and 5 (the wallet's side): the overdraft is one pool per wallet, each admitted
// request learns the most it can be charged, settlement never charges more, and what is waived
// is a ledger row the operator sees.
const CFG = config(env as unknown as Env);
const OVERDRAFT = CFG.overdraftNano; // 0.05 USD
const USD = 1_000_000_000;

const settleInput = (requestId: string, keyId: string, costNano: number): SettleInput => ({
  requestId, keyId, model: "test-echo", provider: "openai", attempts: 1, endpoint: "chat.completions", stream: false,
  startedAt: Date.now(), latencyMs: 1, status: "success", httpStatus: 200, errorCode: null, promptTokens: 0, completionTokens: 0,
  cachedTokens: 0, reasoningTokens: 0, costNano: nano(costNano), usageSource: "upstream", overdraftNano: OVERDRAFT,
});

describe("the waiver is bounded per wallet, and every waived amount is a ledger row", () => {
  it("concurrent requests share one overdraft pool: settled at any cost, the balance stops at the floor", async () => {
    const { userId, key, keyId } = await createUser("0.05");
    const stub = account(userId);
    const keyHash = await sha256Hex(key);
    const admit = (i: number) => stub.admit({
      keyHash, requestId: `gen-waiver-${i}`, model: "test-echo", now: Date.now(), inputPrice: TEST_PRICE.input, outputPrice: TEST_PRICE.output,
      promptTokensEstimate: 0, requestedMaxOutput: 5_000, modelMaxOutput: 100_000, settings: CFG,
    });
    // Each reserves 5,000 × 2000 = 10,000,000 nUSD: the 0.05 USD balance covers five.
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await admit(i));
    expect(results.slice(0, 5).map((r) => r.ok && [r.reservedNano, r.maxChargeNano])).toEqual(Array(5).fill([10_000_000, 20_000_000]));
    expect(results[5]).toMatchObject({ ok: false, status: 402 });

    // The provider claims 1 USD for each: each is charged its max charge, the rest waived.
    const settled = await Promise.all([4, 0, 3, 1, 2].map((i) => stub.settle(settleInput(`gen-waiver-${i}`, keyId, USD))));
    for (const s of settled) expect(s).toMatchObject({ chargedNano: chargeFor(nano(USD), nano(20_000_000)), waivedNano: USD - 20_000_000 });
    const summary = await stub.summary();
    expect(summary.balanceNano).toBe(-OVERDRAFT);
    const ledger = await stub.ledger(100);
    expect(ledger.reduce((a, e) => a + e.amountNano, 0)).toBe(summary.balanceNano);
    const waivers = ledger.filter((e) => e.kind === "waiver");
    expect(waivers.map((e) => [e.amountNano, e.waivedNano])).toEqual(Array(5).fill([0, USD - 20_000_000]));
    expect(ledger.every((e) => e.balanceAfterNano >= -OVERDRAFT)).toBe(true);

    // The operator sees them: D1's copy of the ledger and the revenue figures.
    await stub.flushOutbox();
    const { results: rows } = await env.DB.prepare("SELECT amount_nano, waived_nano FROM transactions WHERE user_id = ? AND kind = 'waiver'").bind(userId).all();
    expect(rows).toEqual(Array(5).fill({ amount_nano: 0, waived_nano: USD - 20_000_000 }));
    const revenue = (await (await admin("/revenue")).json()) as { waived_usd: string };
    expect(parseUsd(revenue.waived_usd)!).toBeGreaterThanOrEqual(5 * (USD - 20_000_000));
  });

  it("a settlement never charges more than the max charge admission returned, and a replay changes nothing", async () => {
    const { userId, key, keyId } = await createUser("10.00");
    const stub = account(userId);
    const r = await stub.admit({
      keyHash: await sha256Hex(key), requestId: "gen-waiver-one", model: "test-echo", now: Date.now(), inputPrice: TEST_PRICE.input,
      outputPrice: TEST_PRICE.output, promptTokensEstimate: 100, requestedMaxOutput: 100, modelMaxOutput: 1000, settings: CFG,
    });
    expect(r).toMatchObject({ ok: true, reservedNano: 300_000, maxChargeNano: 600_000 });
    expect(await stub.settle(settleInput("gen-waiver-one", keyId, 700_000))).toEqual({ chargedNano: 600_000, balanceNano: 10 * USD - 600_000, duplicate: false, waivedNano: 100_000 });
    expect(await stub.settle(settleInput("gen-waiver-one", keyId, 700_000))).toEqual({ chargedNano: 600_000, balanceNano: 10 * USD - 600_000, duplicate: true });
    expect((await stub.ledger()).filter((e) => e.ref === "gen-waiver-one").map((e) => e.kind).sort()).toEqual(["usage", "waiver"]);
  });
});
