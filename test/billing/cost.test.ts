import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { formatUsd } from "../../src/lib/money";
import openaiText from "../fixtures/providers/openai/chat/openai-text.json";
import deepseekToolCall from "../fixtures/providers/others/deepseek/deepseek-tool-call.json";
import { account, admin, api, chat, createUser, settled, usageRows } from "../helpers/gateway";
import { TEST_PRICE } from "../helpers/catalog";
import { d1Books, drainedToD1, planeDrained, planeFigures } from "../helpers/usage-plane";

// Test prices (test/helpers/catalog.ts) in nUSD per token: µUSD/Mtok = pUSD/token, / 1000 = nUSD/token.
const IN = TEST_PRICE.input / 1000; // 1000
const OUT = TEST_PRICE.output / 1000; // 2000
const CACHED = TEST_PRICE.cached / 1000; // 500
const USD = 1_000_000_000;

/** Exact USD JSON number for a nUSD amount, as the gateway writes it. */
const usdNum = (nano: number) => Number(formatUsd(nano));

/**
 * The books of one user after draining the outbox: the DO ledger sums to the balance, D1's
 * transactions and daily statements hold the ledger, and D1's usage rollups sum to the usage debits.
 */
async function checkBooks(userId: string) {
  const { summary } = await drainedToD1(userId);
  const ledger = await account(userId).ledger(1000);
  const sum = ledger.reduce((a, e) => a + e.amountNano, 0);
  expect(summary.balanceNano).toBe(sum);
  const usageDebits = ledger.filter((e) => e.kind === "usage").reduce((a, e) => a - e.amountNano, 0);
  const books = await d1Books(userId);
  const txn = { total: books.total, n: books.n };
  expect(txn).toEqual({ total: summary.balanceNano, n: ledger.length });
  const logs = { total: books.usageCostNano };
  expect(logs!.total).toBe(usageDebits);
  return { summary, ledger, usageDebits };
}

describe("billing: cost formula (P5) and the books", () => {
  it("charges a non-streamed completion exactly prompt × input + completion × output", async () => {
    const { userId, key } = await createUser("10.00");
    const res = await chat(key, { model: "test-fixture-text" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { id: string; usage: Record<string, unknown> };
    expect(body.id).toBe(res.headers.get("x-request-id"));
    // openai-text.json: in 16, out 363 → 16 × 1000 + 363 × 2000 = 742,000 nUSD
    const { prompt_tokens: p, completion_tokens: c } = openaiText.usage;
    expect([p, c]).toEqual([16, 363]);
    const expected = p * IN + c * OUT;
    expect(expected).toBe(742_000);
    expect(body.usage).toMatchObject({ prompt_tokens: 16, completion_tokens: 363, cost: usdNum(expected) });

    const { summary, ledger, usageDebits } = await checkBooks(userId);
    expect(summary.balanceNano).toBe(10 * USD - expected);
    expect(summary).toMatchObject({ holdsNano: 0, inFlight: 0, usageNano: expected, creditsNano: 10 * USD });
    const rows = ledger.filter((e) => e.kind === "usage");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ ref: body.id, amountNano: -expected, balanceAfterNano: 10 * USD - expected });
    expect(usageDebits).toBe(expected);
    const logs = await usageRows(userId);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({
      request_id: body.id, model: "test-fixture-text", prompt_tokens: 16, completion_tokens: 363, cached_tokens: 0,
      cost_nano: expected, status: "success", usage_source: "upstream", stream: 0,
    });
  });

  it("prices cached prompt tokens at the cached price (deepseek-tool-call: 339 in, 320 cached, 92 out)", async () => {
    const { userId, key } = await createUser("10.00");
    const res = await chat(key, { model: "test-deepseek-tools" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { id: string; usage: Record<string, unknown> };
    const u = deepseekToolCall.usage;
    expect([u.prompt_tokens, u.prompt_tokens_details.cached_tokens, u.completion_tokens]).toEqual([339, 320, 92]);
    // uncached 19 × 1000 + cached 320 × 500 + 92 × 2000 = 19,000 + 160,000 + 184,000 = 363,000 nUSD
    const cached = u.prompt_tokens_details.cached_tokens;
    const expected = (u.prompt_tokens - cached) * IN + cached * CACHED + u.completion_tokens * OUT;
    expect(expected).toBe(363_000);
    expect(body.usage.cost).toBe(usdNum(expected));

    const { summary, ledger } = await checkBooks(userId);
    expect(summary.balanceNano).toBe(10 * USD - expected);
    expect(ledger.filter((e) => e.kind === "usage" && e.ref === body.id).map((e) => e.amountNano)).toEqual([-expected]);
    expect((await usageRows(userId))[0]).toMatchObject({
      request_id: body.id, prompt_tokens: 339, cached_tokens: 320, completion_tokens: 92, reasoning_tokens: 48, cost_nano: expected,
    });
  });

  // Reasoning tokens are output (xAI reports them outside completion_tokens); cached tokens on streams too.
  const more = [
    // xai-text.json: in 12, cached 2, completion 2 + reasoning 320 → 10 × 1000 + 2 × 500 + 322 × 2000 = 655,000
    { model: "test-xai-text", stream: false, p: 12, cached: 2, c: 322, expected: 655_000 },
    // xai-text.chunks.txt usage: in 12, cached 11, completion 2 + reasoning 340 → 1 × 1000 + 11 × 500 + 342 × 2000 = 690,500
    { model: "test-xai-text", stream: true, p: 12, cached: 11, c: 342, expected: 690_500 },
    // deepseek-tool-call.chunks.txt usage (on the finish chunk): in 339, cached 320, out 83 → 19,000 + 160,000 + 166,000 = 345,000
    { model: "test-deepseek-tools", stream: true, p: 339, cached: 320, c: 83, expected: 345_000 },
  ];
  for (const m of more) {
    it(`charges ${m.model} (stream: ${m.stream}) ${m.expected} nUSD from its recorded usage`, async () => {
      const { userId, key } = await createUser("10.00");
      const res = await chat(key, { model: m.model, stream: m.stream });
      expect(res.status).toBe(200);
      const id = res.headers.get("x-request-id")!;
      await res.arrayBuffer();
      expect((m.p - m.cached) * IN + m.cached * CACHED + m.c * OUT).toBe(m.expected);
      const { summary, ledger } = await checkBooks(userId);
      expect(summary.balanceNano).toBe(10 * USD - m.expected);
      expect(ledger.filter((e) => e.kind === "usage").map((e) => [e.ref, e.amountNano])).toEqual([[id, -m.expected]]);
      expect((await usageRows(userId))[0]).toMatchObject({
        request_id: id, prompt_tokens: m.p, cached_tokens: m.cached, completion_tokens: m.c, cost_nano: m.expected, usage_source: "upstream",
      });
    });
  }

  it("keeps one usage ledger row per charged request and D1 equal to the DO across several requests", async () => {
    const { userId, key } = await createUser("10.00");
    const ids: string[] = [];
    for (const model of ["test-fixture-text", "test-deepseek-tools", "test-fixture-text", "test-echo"]) {
      const res = await chat(key, { model });
      expect(res.status).toBe(200);
      ids.push(res.headers.get("x-request-id")!);
      await res.arrayBuffer();
    }
    // 742,000 + 363,000 + 742,000 + echo (11 × 1000 + 7 × 2000 = 25,000) = 1,872,000 nUSD
    const expected = 742_000 + 363_000 + 742_000 + (11 * IN + 7 * OUT);
    const { summary, ledger, usageDebits } = await checkBooks(userId);
    expect(usageDebits).toBe(expected);
    expect(summary.balanceNano).toBe(10 * USD - expected);
    for (const id of ids) expect(ledger.filter((e) => e.kind === "usage" && e.ref === id)).toHaveLength(1);
    expect(ledger.filter((e) => e.kind === "usage")).toHaveLength(ids.length);
    expect((await usageRows(userId)).map((r) => r.request_id).sort()).toEqual([...ids].sort());
  });
});

describe("billing: idempotent credits", () => {
  it("credits once for a repeated Idempotency-Key header and answers the replay with 200 replayed: true", async () => {
    const { userId } = await createUser("1.00");
    const post = () => admin(`/users/${userId}/credits`, {
      method: "POST", headers: { "idempotency-key": "topup-2026-0001" }, json: { amount_usd: "2.50", note: "top-up" },
    });
    const first = await post();
    expect(first.status).toBe(201);
    const a = (await first.json()) as Record<string, unknown>;
    expect(a).toMatchObject({ replayed: false, amount_usd: "2.50", balance_usd: "3.50" });
    const second = await post();
    expect(second.status).toBe(200);
    const b = (await second.json()) as Record<string, unknown>;
    expect(b).toMatchObject({ replayed: true, transaction_id: a.transaction_id, balance_usd: "3.50" });

    const { summary, ledger } = await checkBooks(userId);
    expect(summary.balanceNano).toBe(3_500_000_000); // 1.00 + 2.50 USD, not 6.00
    expect(ledger.filter((e) => e.ref === "operator:topup-2026-0001")).toHaveLength(1);
  });
});

describe("billing: /generation (P15), /credits and /key", () => {
  it("serves the usage record from the outbox, then from D1, and only to its owner", async () => {
    const { userId, key, keyId } = await createUser("10.00");
    // Hold back the outbox alarm (due a second after the credit), so the record stays in the DO outbox until drained.
    await runInDurableObject(account(userId), (_o, state) => state.storage.deleteAlarm());
    const res = await chat(key, { model: "test-fixture-text" });
    const id = res.headers.get("x-request-id")!;
    expect(((await res.json()) as { id: string }).id).toBe(id);
    await settled(userId);
    const expected = 16 * IN + 363 * OUT; // 742,000 nUSD

    const get = (k: string) => api(`/generation?id=${encodeURIComponent(id)}`, k);
    const before = await get(key);
    expect(before.status).toBe(200);
    const fromOutbox = ((await before.json()) as { data: Record<string, unknown> }).data;
    // Served before the usage plane reached D1.
    expect((await planeFigures(userId)).rollups.requests).toBe(0);
    expect(await account(userId).pendingUsage(id)).not.toBeNull();
    const fields = {
      id, model: "test-fixture-text", prompt_tokens: 16, completion_tokens: 363, total_cost: usdNum(expected),
      status: "success", key_id: keyId, usage_source: "upstream",
    };
    expect(fromOutbox).toMatchObject(fields);
    expect(typeof fromOutbox.latency_ms).toBe("number");
    expect(fromOutbox.latency_ms as number).toBeGreaterThanOrEqual(0);
    expect(new Date(fromOutbox.created_at as string).toISOString()).toBe(fromOutbox.created_at);

    expect((await planeDrained(userId)).rollups.requests).toBe(1);
    const after = await get(key);
    expect(after.status).toBe(200);
    const fromD1 = ((await after.json()) as { data: Record<string, unknown> }).data;
    expect(fromD1).toEqual(fromOutbox);

    const other = await createUser("1.00");
    const denied = await get(other.key);
    expect(denied.status).toBe(404);
    expect(((await denied.json()) as { error: { code: string } }).error.code).toBe("generation_not_found");
  });

  it("GET /credits and GET /key reflect the settled charges exactly", async () => {
    const { userId, key, keyId } = await createUser("10.00");
    for (const model of ["test-fixture-text", "test-deepseek-tools"]) await (await chat(key, { model })).arrayBuffer();
    await settled(userId);
    const spent = 742_000 + 363_000; // 1,105,000 nUSD

    const credits = (await (await api("/credits", key)).json()) as { data: Record<string, unknown> };
    expect(credits.data).toEqual({
      total_credits: usdNum(10 * USD), total_usage: usdNum(spent), balance: usdNum(10 * USD - spent), reserved: 0,
      balance_usd: formatUsd(10 * USD - spent),
    });
    expect(credits.data.balance_usd).toBe("9.998895");
    const k = (await (await api("/key", key)).json()) as { data: Record<string, unknown> };
    expect(k.data).toMatchObject({ id: keyId, usage: usdNum(spent), limit: null, limit_remaining: null });
    const s = await account(userId).summary();
    expect([s.balanceNano, s.usageNano]).toEqual([10 * USD - spent, spent]);
  });
});
