import { describe, expect, it } from "vitest";
import { estimateChatPromptTokens } from "../../src/billing/estimate";
import { formatUsd } from "../../src/lib/money";
import { account, chat, createUser, drained, usageRows } from "../helpers/gateway";
import { TEST_PRICE } from "../helpers/catalog";
import { countTokens } from "../../src/billing/tokenizer";

// Test prices in nUSD per token: input 1000, output 2000. Test models: context 100000, max output 1000.
const IN = TEST_PRICE.input / 1000;
const OUT = TEST_PRICE.output / 1000;
const CONTEXT = 100_000;
const MAX_OUTPUT = 1000;
const OVERDRAFT = 50_000_000; // OVERDRAFT_LIMIT_USD default 0.05 USD
const USD = 1_000_000_000;
const MESSAGES = [{ role: "user", content: "Tell me about a holiday." }];
const PROMPT = estimateChatPromptTokens({ messages: MESSAGES });
const usdNum = (nano: number) => Number(formatUsd(nano));

type Completion = { id: string; choices: Array<{ message: { content: string } }>; usage: Record<string, unknown> };
type Chunk = { choices?: Array<{ delta?: { content?: unknown } }>; usage?: Record<string, unknown> | null };

/** The `data:` payloads of an SSE body. */
function sseData(text: string): string[] {
  return text.replace(/\r\n/g, "\n").split("\n\n").flatMap((p) => p.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()));
}

/** The gateway's own output count for a stream: max(ceil(chars / 4), non-empty delta chunks). */
function countedFromStream(events: string[]): number {
  let chars = 0;
  let chunks = 0;
  for (const e of events) {
    if (e === "[DONE]") continue;
    const n = ((JSON.parse(e) as Chunk).choices ?? []).reduce((a, c) => a + (typeof c.delta?.content === "string" ? c.delta.content.length : 0), 0);
    if (n > 0) { chars += n; chunks++; }
  }
  expect(chunks).toBeGreaterThan(0);
  return Math.max(Math.ceil(chars / 4), chunks);
}

async function usageOf(userId: string, id: string) {
  const s = await drained(userId);
  const rows = await usageRows(userId);
  expect(rows).toHaveLength(1);
  expect(rows[0]!.request_id).toBe(id);
  const ledger = (await account(userId).ledger()).filter((e) => e.kind === "usage");
  return { s, row: rows[0]!, ledger };
}

describe("billing: missing usage (test-no-usage) → the estimated rule", () => {
  it("non-streamed: prompt = gateway estimate, completion = counted from the output, estimated: true", async () => {
    const { userId, key } = await createUser("10.00");
    const res = await chat(key, { model: "test-no-usage", messages: MESSAGES });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Completion;
    const completion = Math.max(Math.ceil(body.choices[0]!.message.content.length / 4), 1);
    const cost = PROMPT * IN + completion * OUT;
    expect(body.usage).toEqual({
      prompt_tokens: PROMPT, completion_tokens: completion, total_tokens: PROMPT + completion, cost: usdNum(cost), estimated: true,
    });
    const { s, row, ledger } = await usageOf(userId, body.id);
    expect(row).toMatchObject({ usage_source: "estimated", status: "success", prompt_tokens: PROMPT, completion_tokens: completion, cost_nano: cost });
    expect(s.balanceNano).toBe(10 * USD - cost);
    expect(ledger.map((e) => e.amountNano)).toEqual([-cost]);
  });

  it("streamed without include_usage: estimated charge, no usage chunk reaches the client", async () => {
    const { userId, key } = await createUser("10.00");
    const res = await chat(key, { model: "test-no-usage", messages: MESSAGES, stream: true });
    const id = res.headers.get("x-request-id")!;
    const events = sseData(await res.text());
    expect(events.at(-1)).toBe("[DONE]");
    expect(events.some((e) => e !== "[DONE]" && (JSON.parse(e) as Chunk).usage)).toBe(false);
    const completion = countedFromStream(events);
    const cost = PROMPT * IN + completion * OUT;
    const { s, row } = await usageOf(userId, id);
    expect(row).toMatchObject({ usage_source: "estimated", status: "success", prompt_tokens: PROMPT, completion_tokens: completion, cost_nano: cost, stream: 1 });
    expect(s.balanceNano).toBe(10 * USD - cost);
  });

  it("streamed with include_usage: the client still gets a final usage chunk with cost and estimated: true", async () => {
    const { userId, key } = await createUser("10.00");
    const res = await chat(key, { model: "test-no-usage", messages: MESSAGES, stream: true, stream_options: { include_usage: true } });
    const id = res.headers.get("x-request-id")!;
    const events = sseData(await res.text());
    expect(events.at(-1)).toBe("[DONE]");
    const completion = countedFromStream(events);
    const cost = PROMPT * IN + completion * OUT;
    const final = JSON.parse(events.at(-2)!) as Chunk & { id: string };
    expect(final.id).toBe(id);
    expect(final.choices).toEqual([]);
    expect(final.usage).toEqual({
      prompt_tokens: PROMPT, completion_tokens: completion, total_tokens: PROMPT + completion, cost: usdNum(cost), estimated: true,
    });
    const { s, row } = await usageOf(userId, id);
    expect(row).toMatchObject({ usage_source: "estimated", completion_tokens: completion, cost_nano: cost });
    expect(s.balanceNano).toBe(10 * USD - cost);
  });
});

describe("billing: negative usage (test-negative-usage) never credits", () => {
  it("non-streamed: charged the estimate, balance strictly decreases, no credit row", async () => {
    const { userId, key } = await createUser("10.00");
    const res = await chat(key, { model: "test-negative-usage", messages: MESSAGES });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Completion;
    const completion = Math.max(Math.ceil(body.choices[0]!.message.content.length / 4), 1);
    const cost = PROMPT * IN + completion * OUT;
    expect(body.usage).toMatchObject({ prompt_tokens: PROMPT, completion_tokens: completion, cost: usdNum(cost), estimated: true });
    const { s, row, ledger } = await usageOf(userId, body.id);
    expect(row).toMatchObject({ usage_source: "estimated", prompt_tokens: PROMPT, completion_tokens: completion, cost_nano: cost });
    expect(s.balanceNano).toBe(10 * USD - cost);
    expect(s.balanceNano).toBeLessThan(10 * USD);
    expect(ledger.map((e) => e.amountNano)).toEqual([-cost]);
  });

  it("streamed: the negative usage chunk is dropped and the estimate is charged", async () => {
    const { userId, key } = await createUser("10.00");
    const res = await chat(key, { model: "test-negative-usage", messages: MESSAGES, stream: true });
    const id = res.headers.get("x-request-id")!;
    const events = sseData(await res.text());
    expect(events.at(-1)).toBe("[DONE]");
    expect(events.some((e) => e !== "[DONE]" && (JSON.parse(e) as Chunk).usage)).toBe(false);
    const completion = countedFromStream(events);
    const cost = PROMPT * IN + completion * OUT;
    const { s, row, ledger } = await usageOf(userId, id);
    expect(row).toMatchObject({ usage_source: "estimated", prompt_tokens: PROMPT, completion_tokens: completion, cost_nano: cost });
    expect(s.balanceNano).toBe(10 * USD - cost);
    expect(ledger.every((e) => e.amountNano < 0)).toBe(true);
  });
});

describe("billing: absurd usage (test-absurd-usage, 999999999 tokens) is clamped", () => {
  // Issue 12 items 4/5: the figures are clamped (context length, output allowance), and the charge
  // is at most the request's max charge: its reservation plus its overdraft share, min(reservation,
  // what is left of the wallet's 0.05 USD pool). The rest is a `waiver` ledger row; the cost the
  // client is shown is what was charged.
  const reservation = (maxOut: number) => PROMPT * IN + maxOut * OUT;

  async function expectWaived(userId: string, id: string, cost: number, charge: number) {
    const { s, row } = await usageOf(userId, id);
    expect(row).toMatchObject({ usage_source: "clamped", prompt_tokens: CONTEXT, cost_nano: charge });
    expect(s.balanceNano).toBe(10 * USD - charge);
    const ledger = await account(userId).ledger();
    expect(ledger.map((e) => [e.kind, e.amountNano, e.waivedNano ?? 0])).toEqual([["waiver", 0, cost - charge], ["usage", -charge, 0], ["grant", 10 * USD, 0]]);
    return row;
  }

  it("non-streamed: prompt clamped to the context, completion to the output allowance, charge capped at twice the reservation", async () => {
    const { userId, key } = await createUser("10.00");
    const res = await chat(key, { model: "test-absurd-usage", messages: MESSAGES });
    const body = (await res.json()) as Completion;
    // 100,000 × 1000 + 1000 × 2000 = 102,000,000 nUSD (0.102 USD), not 999999999 × 3000
    const cost = CONTEXT * IN + MAX_OUTPUT * OUT;
    expect(cost).toBe(102_000_000);
    const charge = 2 * reservation(MAX_OUTPUT);
    expect(body.usage).toMatchObject({ prompt_tokens: CONTEXT, completion_tokens: MAX_OUTPUT, cost: usdNum(charge), estimated: false });
    const row = await expectWaived(userId, body.id, cost, charge);
    expect(row.completion_tokens).toBe(MAX_OUTPUT);
  });

  it("streamed with max_tokens: completion clamped to the client's max_tokens, but never below the output relayed", async () => {
    const { userId, key } = await createUser("10.00");
    const res = await chat(key, { model: "test-absurd-usage", messages: MESSAGES, stream: true, max_tokens: 64 });
    const id = res.headers.get("x-request-id")!;
    const events = sseData(await res.text());
    expect(events.at(-1)).toBe("[DONE]");
    // The stand-in ignores max_tokens and relays its whole recorded answer: billed as at least its o200k count.
    const text = events.filter((e) => e !== "[DONE]").map((e) => ((JSON.parse(e) as Chunk).choices ?? []).map((c) => (typeof c.delta?.content === "string" ? c.delta.content : "")).join("")).join("");
    const completion = Math.max(64, countTokens(text.trimEnd()));
    const cost = CONTEXT * IN + completion * OUT;
    const row = await expectWaived(userId, id, cost, 2 * reservation(64));
    expect(row.completion_tokens).toBe(completion);
  });

  it("streamed with include_usage: the usage chunk the client gets states the billed (clamped) figures and the charge", async () => {
    const { userId, key } = await createUser("10.00");
    const res = await chat(key, { model: "test-absurd-usage", messages: MESSAGES, stream: true, stream_options: { include_usage: true } });
    const id = res.headers.get("x-request-id")!;
    const events = sseData(await res.text());
    expect(events.at(-1)).toBe("[DONE]");
    const cost = CONTEXT * IN + MAX_OUTPUT * OUT; // 102,000,000 nUSD, as in the non-streamed case
    const charge = 2 * reservation(MAX_OUTPUT);
    const final = JSON.parse(events.at(-2)!) as Chunk;
    expect(final.usage).toMatchObject({ prompt_tokens: CONTEXT, completion_tokens: MAX_OUTPUT, total_tokens: CONTEXT + MAX_OUTPUT, cost: usdNum(charge) });
    await expectWaived(userId, id, cost, charge);
  });

  it("the overdraft is bounded per wallet: 30 concurrent absurd requests never take the balance below −0.05 USD", async () => {
    const { userId, key } = await createUser("0.05", { tpm: 100_000_000 }); // 25 × 101,000 tokens: not a rate-limit test
    const replies = await Promise.all(Array.from({ length: 30 }, () => chat(key, { model: "test-absurd-usage", messages: MESSAGES })));
    const admitted = replies.filter((r) => r.status === 200).length;
    // Reservations are covered by the balance: 24 full ones, then one shrunk to the affordable output.
    expect(admitted).toBe(Math.floor(50_000_000 / reservation(MAX_OUTPUT)) + 1);
    await Promise.all(replies.map((r) => r.arrayBuffer()));
    const s = await drained(userId);
    const ledger = await account(userId).ledger(1000);
    const charged = -ledger.filter((e) => e.kind === "usage").reduce((a, e) => a + e.amountNano, 0);
    const waived = ledger.filter((e) => e.kind === "waiver").reduce((a, e) => a + (e.waivedNano ?? 0), 0);
    // Each charge ≤ 2 × reservation, and Σ overdraft shares ≤ 0.05 USD.
    expect(charged).toBeLessThanOrEqual(50_000_000 + OVERDRAFT);
    expect(charged + waived).toBeLessThanOrEqual(admitted * 102_000_000);
    expect(waived).toBeGreaterThan(0);
    expect(s.balanceNano).toBe(50_000_000 - charged);
    expect(s.balanceNano).toBeGreaterThanOrEqual(-OVERDRAFT);
    expect(ledger.reduce((a, e) => a + e.amountNano, 0)).toBe(s.balanceNano);

    // A balance below zero admits nothing more, so it cannot sink further.
    const again = await chat(key, { model: "test-absurd-usage", messages: MESSAGES });
    expect(again.status).toBe(402);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe("insufficient_credits");
    expect((await drained(userId)).balanceNano).toBe(s.balanceNano);
  });
});
