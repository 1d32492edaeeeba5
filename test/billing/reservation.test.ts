import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { AccountDO } from "../../src/account/account-do";
import type { AdmitInput, SettleInput } from "../../src/account/types";
import { estimateChatPromptTokens } from "../../src/billing/estimate";
import { invalidateCatalog } from "../../src/catalog/catalog";
import { sha256Hex } from "../../src/lib/api-key";
import { nano } from "../../src/lib/money";
import { account, chat, createUser, drained, settled, usageRows } from "../helpers/gateway";
import { mirrorBill } from "../helpers/mirror";
import { TEST_PRICE } from "../helpers/catalog";

// Test prices in nUSD per token: input 1000, output 2000. Test models: max output 1000 tokens.
const IN = TEST_PRICE.input / 1000;
const OUT = TEST_PRICE.output / 1000;
const USD = 1_000_000_000;
const ECHO_COST = 11 * IN + 7 * OUT; // stand-in echo usage: 11 in, 7 out = 25,000 nUSD
const MESSAGES = [{ role: "user", content: "Echo this back, please." }];
const PROMPT = estimateChatPromptTokens({ messages: MESSAGES });

/** The upstream request the mirror scenario sent back as the reply text. */
function echoedBody(reply: { choices: Array<{ message: { content: string } }> }): Record<string, unknown> {
  return (JSON.parse(reply.choices[0]!.message.content) as { body: Record<string, unknown> }).body;
}

/** How many requests the stand-in got for one upstream model. */
async function standinCount(upstreamModel: string): Promise<number> {
  const res = await fetch(`${new URL(env.OPENAI_BASE_URL!).origin}/__stats`);
  return ((await res.json()) as { byModel: Record<string, number> }).byModel[upstreamModel] ?? 0;
}

function settleInput(requestId: string, keyId: string, over: Partial<SettleInput> = {}): SettleInput {
  return {
    requestId, keyId, model: "test-echo", provider: "openai", attempts: 1, endpoint: "chat.completions", stream: false, startedAt: Date.now(),
    latencyMs: 5, status: "success", httpStatus: 200, errorCode: null, promptTokens: 10, completionTokens: 50, cachedTokens: 0,
    reasoningTokens: 0, costNano: 10 * IN + 50 * OUT, usageSource: "upstream", overdraftNano: 50_000_000, ...over,
  } as SettleInput;
}

describe("billing: reservation expiry", () => {
  it("the alarm releases an abandoned reservation without a charge; a late settlement charges exactly once", async () => {
    const { userId, key, keyId } = await createUser("1.00");
    const stub = account(userId);
    const requestId = "gen-billing-expiry-0001";
    const now = Date.now() - 2 * 60 * 60 * 1000;
    const input: AdmitInput = {
      keyHash: await sha256Hex(key), requestId, model: "test-echo", now, inputPrice: TEST_PRICE.input, outputPrice: TEST_PRICE.output,
      promptTokensEstimate: 10, requestedMaxOutput: 100, modelMaxOutput: 1000,
      settings: { defaultAllowance: 4096, reservationTtlMs: 900_000, defaultRpm: 600, defaultTpm: 2_000_000 },
    };
    // Admit and read the summary in one DO turn, so the (already due) alarm cannot run in between.
    const { result, held } = await runInDurableObject(stub, (o: AccountDO) => ({ result: o.admit(input), held: o.summary() }));
    const reserved = 10 * IN + 100 * OUT; // 210,000 nUSD
    expect(result).toMatchObject({ ok: true, keyId, reservedNano: reserved, outputCap: null });
    expect(held).toMatchObject({ holdsNano: reserved, inFlight: 1, balanceNano: 1 * USD });

    await runDurableObjectAlarm(stub); // runs it now, unless the due alarm already ran by itself
    await stub.flushOutbox();
    expect(await stub.summary()).toMatchObject({ holdsNano: 0, inFlight: 0, balanceNano: 1 * USD });
    expect((await stub.ledger()).filter((e) => e.kind === "usage")).toEqual([]);
    const expired = await usageRows(userId);
    expect(expired).toHaveLength(1);
    expect(expired[0]).toMatchObject({ request_id: requestId, key_id: keyId, status: "expired", cost_nano: 0, error_code: "reservation_expired" });

    // The settlement arrives after all: it charges once, and a replay changes nothing.
    const cost = 10 * IN + 50 * OUT; // 110,000 nUSD
    const late = await stub.settle(settleInput(requestId, keyId, { startedAt: now }));
    expect(late).toEqual({ chargedNano: cost, balanceNano: 1 * USD - cost, duplicate: false });
    const replay = await stub.settle(settleInput(requestId, keyId, { startedAt: now }));
    expect(replay).toEqual({ chargedNano: cost, balanceNano: 1 * USD - cost, duplicate: true });
    const s = await drained(userId);
    expect(s).toMatchObject({ balanceNano: 1 * USD - cost, holdsNano: 0, inFlight: 0, usageNano: cost });
    expect((await stub.ledger()).filter((e) => e.kind === "usage").map((e) => [e.ref, e.amountNano])).toEqual([[requestId, -cost]]);
    const rows = await usageRows(userId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ request_id: requestId, status: "success", cost_nano: cost, usage_source: "upstream" });
  });
});

describe("billing: idempotent settlement", () => {
  it("settling the same request id twice leaves one ledger row", async () => {
    const { userId, keyId } = await createUser("1.00");
    const stub = account(userId);
    const first = await stub.settle(settleInput("gen-billing-twice-0001", keyId));
    const second = await stub.settle(settleInput("gen-billing-twice-0001", keyId, { costNano: nano(999_000) }));
    const cost = 10 * IN + 50 * OUT; // 110,000 nUSD
    expect(first).toEqual({ chargedNano: cost, balanceNano: 1 * USD - cost, duplicate: false });
    expect(second).toEqual({ chargedNano: cost, balanceNano: 1 * USD - cost, duplicate: true });
    expect((await stub.ledger()).filter((e) => e.ref === "gen-billing-twice-0001")).toHaveLength(1);
    expect((await drained(userId)).balanceNano).toBe(1 * USD - cost);
    expect(await usageRows(userId)).toHaveLength(1);
  });

  it("a replayed settlement of a real request is a no-op", async () => {
    const { userId, key, keyId } = await createUser("1.00");
    const res = await chat(key, { model: "test-echo", messages: MESSAGES });
    const id = res.headers.get("x-request-id")!;
    await res.arrayBuffer();
    await settled(userId);
    const again = await account(userId).settle(settleInput(id, keyId, { costNano: nano(500_000) }));
    expect(again).toEqual({ chargedNano: ECHO_COST, balanceNano: 1 * USD - ECHO_COST, duplicate: true });
    const s = await drained(userId);
    expect(s.balanceNano).toBe(1 * USD - ECHO_COST);
    expect((await account(userId).ledger()).filter((e) => e.kind === "usage").map((e) => [e.ref, e.amountNano])).toEqual([[id, -ECHO_COST]]);
  });
});

describe("billing: no false 402 (P6)", () => {
  const BALANCE = 1_000_000; // 0.001 USD: less than 1000 output tokens × 2000 nUSD = 2,000,000 nUSD
  // Output tokens the balance affords after the prompt estimate: floor((balance − prompt × 1000) / 2000).
  const AFFORDABLE = Math.floor((BALANCE - PROMPT * IN) / OUT);

  it("without max_tokens a small balance still succeeds, capped upstream at the affordable output", async () => {
    expect(AFFORDABLE).toBeGreaterThanOrEqual(16);
    expect(AFFORDABLE).toBeLessThan(1000);
    const { userId, key } = await createUser("0.001");
    const res = await chat(key, { model: "test-mirror", messages: MESSAGES });
    expect(res.status).toBe(200);
    const reply = (await res.json()) as { choices: Array<{ message: { content: string } }> };
    const upstream = echoedBody(reply);
    expect(upstream.max_completion_tokens).toBe(AFFORDABLE);
    expect("max_tokens" in upstream).toBe(false);
    const s = await drained(userId);
    expect(s).toMatchObject({ balanceNano: BALANCE - mirrorBill(reply.choices[0]!.message.content).costNano, holdsNano: 0, inFlight: 0 });
  });

  it("streamed: the reservation is the affordable amount and fits the balance", async () => {
    const { userId, key } = await createUser("0.001");
    const res = await chat(key, { model: "test-mirror", messages: MESSAGES, stream: true });
    expect(res.status).toBe(200);
    // Still open: the reservation is prompt estimate × 1000 + affordable × 2000 ≤ balance.
    const held = await account(userId).summary();
    expect(held.holdsNano).toBe(PROMPT * IN + AFFORDABLE * OUT);
    expect(held.holdsNano).toBeLessThanOrEqual(BALANCE);
    const text = (await res.text()).split("\n").filter((l) => l.startsWith("data: {"))
      .map((l) => (JSON.parse(l.slice(6)) as { choices: Array<{ delta: { content?: string } }> }).choices[0]?.delta.content ?? "").join("");
    const upstream = (JSON.parse(text) as { body: Record<string, unknown> }).body;
    expect(upstream.max_completion_tokens).toBe(AFFORDABLE);
    expect((await drained(userId)).balanceNano).toBe(BALANCE - mirrorBill(text).costNano);
  });

  it("with a large balance no cap is injected", async () => {
    const { key } = await createUser("10.00");
    const res = await chat(key, { model: "test-mirror", messages: MESSAGES });
    expect(res.status).toBe(200);
    const upstream = echoedBody((await res.json()) as never);
    expect("max_completion_tokens" in upstream).toBe(false);
    expect("max_tokens" in upstream).toBe(false);
  });

  it("max_tokens beyond the balance → 402 insufficient_credits before any upstream call", async () => {
    // A catalog row of this file's own, so the stand-in's per-model counter is not shared with other files.
    const upstreamModel = "paced:0:2:1";
    await env.DB.prepare(
      `INSERT OR REPLACE INTO models (id, name, provider, upstream_model, kind, context_length, max_output_tokens, input_price, output_price, cached_input_price, cache_write_price, capabilities, enabled, price_source, price_updated_at)
       VALUES ('test-billing-402', 'Test billing 402', 'openai', ?, 'chat', 100000, 1000, ?, ?, ?, NULL, '[]', 1, 'test', '2026-11-01')`,
    ).bind(upstreamModel, TEST_PRICE.input, TEST_PRICE.output, TEST_PRICE.cached).run();
    invalidateCatalog();
    try {
      const { userId, key } = await createUser("0.001");
      const before = await standinCount(upstreamModel);
      const res = await chat(key, { model: "test-billing-402", messages: MESSAGES, max_tokens: 1000 });
      expect(res.status).toBe(402);
      const err = ((await res.json()) as { error: { code: string; message: string } }).error;
      expect(err.code).toBe("insufficient_credits");
      expect(err.message).toContain(`can afford ${AFFORDABLE}`);
      expect(await standinCount(upstreamModel)).toBe(before);
      const s = await drained(userId);
      expect(s).toMatchObject({ balanceNano: BALANCE, holdsNano: 0, inFlight: 0 });
      expect(await usageRows(userId)).toHaveLength(0);

      // Control: an affordable max_tokens on the same model does reach the stand-in.
      const ok = await chat(key, { model: "test-billing-402", messages: MESSAGES, max_tokens: AFFORDABLE });
      expect(ok.status).toBe(200);
      await ok.arrayBuffer();
      expect(await standinCount(upstreamModel)).toBe(before + 1);
      // paced usage: 20 in, 2 out → 20 × 1000 + 2 × 2000 = 24,000 nUSD
      expect((await drained(userId)).balanceNano).toBe(BALANCE - (20 * IN + 2 * OUT));
    } finally {
      invalidateCatalog();
    }
  });
});
