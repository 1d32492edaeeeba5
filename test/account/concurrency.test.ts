import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { estimateChatPromptTokens } from "../../src/billing/estimate";
import { costNano, formatUsd, parseUsd } from "../../src/lib/money";
import { addTestModels, TEST_PRICE } from "../helpers/catalog";
import { upstreamRequests } from "../helpers/mirror";
import { d1Books } from "../helpers/usage-plane";
import { account, chat, createUser, drained, usageRows } from "../helpers/gateway";

// "No number of concurrent requests can overspend." The stand-in's echo scenario always reports
// 11 prompt / 7 completion tokens, so every successful test-echo request costs
//   11 × 1000 + 7 × 2000 = 25,000 nUSD.
const ECHO_COST = costNano([[11, TEST_PRICE.input], [7, TEST_PRICE.output]]);
/** Default OVERDRAFT_LIMIT_USD = 0.05 USD (src/config.ts). */
const OVERDRAFT = 50_000_000;
const MESSAGES = [{ role: "user", content: "Hi" }];
/** At least the echo's 7 output tokens: a smaller max_tokens would (correctly) clamp the billed completion. */
const MAX_TOKENS = 7;
const PROMPT_ESTIMATE = estimateChatPromptTokens({ messages: MESSAGES });
/** What admission reserves per request: prompt_estimate × 1000 + max_tokens × 2000 nUSD. */
const RESERVATION = costNano([[PROMPT_ESTIMATE, TEST_PRICE.input], [MAX_TOKENS, TEST_PRICE.output]]);

/** The exact `"cost":<number>` literal(s) in a response body, as nUSD (never through a float). */
function costsIn(text: string): number[] {
  return [...text.matchAll(/"cost":(-?\d+(?:\.\d+)?)(?=[,}])/g)].map((m) => parseUsd(m[1]!)!);
}


/**
 * After drained(): the DO balance is exactly credits − Σ costs the clients were told, the DO ledger,
 * the D1 ledger copy and the D1 usage rows all agree, and no ledger entry ever went below `floor`.
 */
async function expectBooksBalance(userId: string, credits: number, clientCosts: Map<string, number>, floor: number) {
  const s = await drained(userId);
  const spent = [...clientCosts.values()].reduce((a, b) => a + b, 0);
  expect(s.inFlight).toBe(0);
  expect(s.holdsNano).toBe(0);
  expect(s.pendingOutbox).toBe(0);
  expect(s.creditsNano).toBe(credits);
  expect(s.balanceNano).toBe(credits - spent);
  expect(s.usageNano).toBe(spent);

  const ledger = await account(userId).ledger(1000);
  const usageDebits = ledger.filter((e) => e.kind === "usage");
  expect(usageDebits).toHaveLength(clientCosts.size);
  expect(-usageDebits.reduce((a, e) => a + e.amountNano, 0)).toBe(spent);
  for (const e of usageDebits) expect(-e.amountNano).toBe(clientCosts.get(e.ref));
  for (const e of ledger) expect(e.balanceAfterNano).toBeGreaterThanOrEqual(floor);
  expect(s.balanceNano).toBeGreaterThanOrEqual(-OVERDRAFT);

  // D1's books: transactions and daily statements sum to the balance, the usage rollups to the spend.
  const books = await d1Books(userId);
  expect(books.total).toBe(s.balanceNano);
  expect(books.usageCostNano).toBe(spent);
  const rows = await usageRows(userId);
  expect(rows).toHaveLength(clientCosts.size);
  for (const r of rows) {
    expect(r).toMatchObject({ status: "success", usage_source: "upstream", prompt_tokens: 11, completion_tokens: 7 });
    expect(r.cost_nano).toBe(clientCosts.get(r.request_id as string));
  }
  return s;
}

async function expectInsufficientCredits(res: Response) {
  expect(res.status).toBe(402);
  const body = (await res.json()) as { error: { code: string; type: string } };
  expect(body.error).toMatchObject({ code: "insufficient_credits", type: "insufficient_quota" });
}

describe("no number of concurrent requests can overspend", () => {
  it("50 concurrent non-streamed requests against a balance of exactly 10 reservations", async () => {
    // Prompt estimate of [{"role":"user","content":"Hi"}]: ceil(31 bytes / 3) + 4 = 15 tokens,
    // so a reservation is 15 × 1000 + 7 × 2000 = 29,000 nUSD and the balance 290,000 nUSD.
    expect(PROMPT_ESTIMATE).toBe(15);
    expect(RESERVATION).toBe(29_000);
    const credits = 10 * RESERVATION;
    const { key, userId } = await createUser(formatUsd(credits));
    expect((await account(userId).summary()).balanceNano).toBe(credits);

    const responses = await Promise.all(Array.from({ length: 50 }, () => chat(key, { model: "test-echo", max_tokens: MAX_TOKENS })));
    const costs = new Map<string, number>();
    for (const res of responses) {
      if (res.status === 402) { await expectInsufficientCredits(res); continue; }
      expect(res.status).toBe(200);
      const text = await res.text();
      const json = JSON.parse(text) as { id: string; usage: Record<string, unknown> };
      expect(json.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 });
      expect(costsIn(text)).toEqual([ECHO_COST]);
      expect(String(json.usage.cost)).toBe(formatUsd(ECHO_COST)); // 0.000025
      costs.set(json.id, ECHO_COST);
    }
    // Reservations are serialised in the DO, so while 10 are in flight nothing else fits: at least 10
    // succeed (no false 402). Each settlement frees reservation − cost = 4,000 nUSD, so an 11th fits only
    // if 8 of the first 10 settled before it was admitted (legitimate, not an overspend); a 12th never
    // fits (290,000 − 11 × 25,000 = 15,000 < 29,000). So 10 (the usual outcome) or at most 11.
    expect(costs.size).toBeGreaterThanOrEqual(10);
    expect(costs.size).toBeLessThanOrEqual(Math.floor(credits / ECHO_COST));
    expect(responses.filter((r) => r.status === 402)).toHaveLength(50 - costs.size);

    const s = await expectBooksBalance(userId, credits, costs, 0);
    expect(s.balanceNano).toBe(credits - costs.size * ECHO_COST); // 290,000 − n × 25,000 ≥ 15,000
  });

  it("30 concurrent streamed requests against a balance of exactly 5 reservations", async () => {
    const credits = 5 * RESERVATION; // 145,000 nUSD
    const { key, userId } = await createUser(formatUsd(credits));
    const responses = await Promise.all(Array.from({ length: 30 }, () => chat(key, {
      model: "test-echo", max_tokens: MAX_TOKENS, stream: true, stream_options: { include_usage: true },
    })));
    const bodies = await Promise.all(responses.map((r) => r.text()));
    const costs = new Map<string, number>();
    for (const [i, res] of responses.entries()) {
      if (res.status === 402) {
        expect(JSON.parse(bodies[i]!)).toMatchObject({ error: { code: "insufficient_credits" } });
        continue;
      }
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain("text/event-stream");
      const body = bodies[i]!;
      expect(body.trimEnd().endsWith("data: [DONE]")).toBe(true);
      expect(body).not.toContain("upstream_stream_error");
      expect(costsIn(body)).toEqual([ECHO_COST]);
      costs.set(res.headers.get("x-request-id")!, ECHO_COST);
    }
    // Five in flight hold the whole balance; even after all five settled only
    // 145,000 − 5 × 25,000 = 20,000 nUSD < 29,000 is free, so exactly 5 succeed in every order.
    expect(costs.size).toBe(5);
    expect(responses.filter((r) => r.status === 402)).toHaveLength(25);
    const s = await expectBooksBalance(userId, credits, costs, 0);
    expect(s.balanceNano).toBe(20_000);
  });

  it("40 concurrent requests without max_tokens: the allowance shrinks, the upstream is capped, never below zero", async () => {
    const credits = 100_000; // 0.0001 USD
    const { key, userId } = await createUser(formatUsd(credits));
    await addTestModels(env, [["cc-echo-uncapped", "openai", "echo:cc-uncapped"]]);
    const responses = await Promise.all(Array.from({ length: 40 }, () => chat(key, { model: "cc-echo-uncapped" })));
    const costs = new Map<string, number>();
    for (const res of responses) {
      if (res.status === 402) { await expectInsufficientCredits(res); continue; }
      expect(res.status).toBe(200);
      const text = await res.text();
      const json = JSON.parse(text) as { id: string };
      expect(costsIn(text)).toEqual([ECHO_COST]);
      costs.set(json.id, ECHO_COST);
    }
    // The stand-in's log shows what went upstream: the gateway's cap, in the field OpenAI wants.
    const upstream = await upstreamRequests("echo:cc-uncapped");
    expect(upstream).toHaveLength(costs.size);
    for (const { body: sent } of upstream) {
      const cap = sent.max_completion_tokens as number;
      expect(Number.isSafeInteger(cap)).toBe(true);
      expect(cap).toBeGreaterThanOrEqual(16); // MIN_OUTPUT_ALLOWANCE
      // The capped reservation fits the credits: 15 × 1000 + cap × 2000 ≤ 100,000 → cap ≤ 42.
      expect(costNano([[PROMPT_ESTIMATE, TEST_PRICE.input], [cap, TEST_PRICE.output]])).toBeLessThanOrEqual(credits);
      expect(sent.max_tokens).toBeUndefined();
    }
    // The first admission reserves 15,000 + 42 × 2000 = 99,000 of the 100,000; later ones fit only after
    // settlements (75,000 → cap 30, 50,000 → cap 17, 25,000 → cap 5 < 16 → 402): between 1 and 3 succeed.
    expect(costs.size).toBeGreaterThanOrEqual(1);
    expect(costs.size).toBeLessThanOrEqual(3);
    expect(responses.filter((r) => r.status === 402)).toHaveLength(40 - costs.size);
    const s = await expectBooksBalance(userId, credits, costs, 0);
    expect(s.balanceNano).toBe(credits - costs.size * ECHO_COST);
    expect(s.balanceNano).toBeGreaterThanOrEqual(-OVERDRAFT);
  });
});
