import { describe, expect, it } from "vitest";
import { account, api, chat, createUser, drained, settled, usageRows } from "../helpers/gateway";
import { expectError, RATE_HEADERS } from "../helpers/errors";

// 402 (credits) and the gateway's own 429s (requests/min, tokens/min, concurrency). A refused request
// must reserve nothing, charge nothing and never reach the upstream (no usage row, balance unchanged).
// Prices (test/helpers/catalog.ts): input 1000 nUSD/token, output 2000 nUSD/token.
// Prompt estimate of [{"role":"user","content":"Hi"}] = ceil(32 bytes / 3) + 4 per message = 15 tokens.
// test-echo reports 11 in / 7 out → 11 × 1000 + 7 × 2000 = 25,000 nUSD.

function expectRateHeaders(res: Response) {
  for (const h of RATE_HEADERS) expect(res.headers.get(h), h).toMatch(h.includes("reset") ? /^\d+s$/ : /^\d+$/);
}

const ECHO_COST = 25_000;

/** Asserts the account is exactly as funded: nothing held, nothing in flight, balance and usage rows as given. */
async function expectUntouched(userId: string, balanceNano: number, rows: number) {
  const s = await drained(userId);
  expect(s).toMatchObject({ balanceNano, holdsNano: 0, inFlight: 0 });
  expect(await usageRows(userId)).toHaveLength(rows);
}

describe("402 insufficient credits", () => {
  it("max_tokens too high for the balance → 402 insufficient_credits; the exact affordable max_tokens is then admitted", async () => {
    const { key, userId } = await createUser("0.01"); // 10,000,000 nUSD
    // max_tokens 10000 → may cost 15,000 + 10000 × 2000 = 20,015,000 nUSD > 10,000,000.
    const res = await chat(key, { model: "test-echo", max_tokens: 10_000 });
    expectRateHeaders(res);
    const b = await expectError(res, 402, "insufficient_credits", "insufficient_quota", null);
    // affordable = floor((10,000,000 − 15,000) / 2000) = 4992 output tokens
    expect(b.error.message).toContain("0.020015");
    expect(b.error.message).toContain("4992");
    await expectUntouched(userId, 10_000_000, 0);

    // One token over the affordable amount: 15,000 + 4993 × 2000 = 10,001,000 > 10,000,000.
    await expectError(await chat(key, { model: "test-echo", max_tokens: 4993 }), 402, "insufficient_credits", "insufficient_quota", null);
    await expectError(await chat(key, { model: "test-echo", max_completion_tokens: 4993 }), 402, "insufficient_credits", "insufficient_quota", null);
    await expectUntouched(userId, 10_000_000, 0);
    // Exactly affordable: 15,000 + 4992 × 2000 = 9,999,000 ≤ 10,000,000.
    expect((await chat(key, { model: "test-echo", max_tokens: 4992 })).status).toBe(200);
    await expectUntouched(userId, 10_000_000 - ECHO_COST, 1);
  });

  it("a user with 0 credits → 402 insufficient_credits with or without max_tokens, stream or not; nothing reserved", async () => {
    const { key, userId } = await createUser("0");
    for (const extra of [{}, { max_tokens: 1 }, { stream: true }, { stream: true, stream_options: { include_usage: true } }]) {
      const res = await chat(key, { model: "test-echo", ...extra });
      expectRateHeaders(res);
      await expectError(res, 402, "insufficient_credits", "insufficient_quota", null);
    }
    await expectUntouched(userId, 0, 0);
    expect(await account(userId).ledger()).toEqual([]);
  });

  it("embeddings with 0 credits → 402 insufficient_credits whose message does not talk about output tokens", async () => {
    const { key, userId } = await createUser("0");
    const res = await api("/embeddings", key, { method: "POST", json: { model: "test-embed", input: "hello" } });
    expectRateHeaders(res);
    const b = await expectError(res, 402, "insufficient_credits", "insufficient_quota", null);
    // "hello": ceil(5 bytes / 3) + 1 = 3 tokens × 1000 nUSD = 3,000 nUSD = 0.000003 USD
    expect(b.error.message).toContain("0.000003 USD");
    expect(b.error.message).toMatch(/add credits/i);
    // Embeddings have no max_tokens and no output: a hint to "lower max_tokens" is wrong here.
    expect(b.error.message).not.toContain("max_tokens");
    expect(b.error.message).not.toContain(String(Number.MAX_SAFE_INTEGER));
    await expectUntouched(userId, 0, 0);
  });

  it("a balance below the prompt cost → 402 even though no max_tokens was given", async () => {
    const { key, userId } = await createUser("0.000014"); // 14,000 nUSD < 15,000 nUSD prompt estimate
    await expectError(await chat(key, { model: "test-echo" }), 402, "insufficient_credits", "insufficient_quota", null);
    await expectUntouched(userId, 14_000, 0);
  });
});

describe("429 gateway rate limits", () => {
  it("rpm 2: the third request → 429 rate_limit_exceeded with retry-after and x-ratelimit-* headers", async () => {
    const { key, userId } = await createUser("1.00", { rpm: 2 });
    const r1 = await chat(key, { model: "test-echo" });
    const r2 = await chat(key, { model: "test-echo" });
    expect([r1.status, r2.status]).toEqual([200, 200]);
    expect([r1.headers.get("x-ratelimit-remaining-requests"), r2.headers.get("x-ratelimit-remaining-requests")]).toEqual(["1", "0"]);
    const r3 = await chat(key, { model: "test-echo" });
    expectRateHeaders(r3);
    expect(r3.headers.get("x-ratelimit-limit-requests")).toBe("2");
    expect(r3.headers.get("x-ratelimit-remaining-requests")).toBe("0");
    const retry = r3.headers.get("retry-after");
    expect(retry).toMatch(/^\d+$/);
    expect(Number(retry)).toBeGreaterThanOrEqual(1);
    expect(Number(retry)).toBeLessThanOrEqual(60);
    expect(r3.headers.get("x-ratelimit-reset-requests")).toBe(`${retry}s`);
    await expectError(r3, 429, "rate_limit_exceeded", "rate_limit_error", null);
    await expectUntouched(userId, 1_000_000_000 - 2 * ECHO_COST, 2);
  });

  it("tpm: a request whose prompt + max_tokens exceeds the tokens left → 429 token_rate_limit_exceeded", async () => {
    const { key, userId } = await createUser("1.00", { tpm: 100 });
    expect((await chat(key, { model: "test-echo", max_tokens: 50 })).status).toBe(200);
    await settled(userId); // the window now holds the real 11 + 7 = 18 tokens → 82 left
    const res = await chat(key, { model: "test-echo", max_tokens: 90 }); // 15 + 90 = 105 > 82
    expect(res.headers.get("x-ratelimit-remaining-tokens")).toBe("82");
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    await expectError(res, 429, "token_rate_limit_exceeded", "rate_limit_error", null);
    await expectUntouched(userId, 1_000_000_000 - ECHO_COST, 1);
  });

  it("max_concurrency 1: a second request while a slow stream is in flight → 429 concurrency_limit_exceeded", async () => {
    const { key, userId } = await createUser("1.00", { max_concurrency: 1 });
    const slow = await chat(key, { model: "test-slow-stream", stream: true });
    expect(slow.status).toBe(200);
    expect((await account(userId).summary()).inFlight).toBe(1);

    const second = await chat(key, { model: "test-echo" });
    expectRateHeaders(second);
    expect(second.headers.get("retry-after")).toBe("1");
    await expectError(second, 429, "concurrency_limit_exceeded", "rate_limit_error", null);

    const text = await slow.text();
    expect(text).toContain("data: [DONE]");
    await settled(userId);
    // The slot is free again once the stream ended.
    expect((await chat(key, { model: "test-echo" })).status).toBe(200);
    // slow-stream: 20 in × 1000 + 200 out × 2000 = 420,000 nUSD; plus one echo.
    await expectUntouched(userId, 1_000_000_000 - 420_000 - ECHO_COST, 2);
  });
});
