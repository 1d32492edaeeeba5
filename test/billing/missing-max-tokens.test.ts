import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { estimateChatPromptTokens } from "../../src/billing/estimate";
import { addTestModels, TEST_PRICE } from "../helpers/catalog";
import { account, chat, createUser, drained } from "../helpers/gateway";
import { mirrorBill } from "../helpers/mirror";

// Issue 12 item 8: a request without max_tokens reserves a realistic allowance (at most
// DEFAULT_OUTPUT_ALLOWANCE = 4096 tokens, sent upstream as the cap), not the whole balance; its
// reserved output counts against the key's tokens per minute; and a key with a spend limit can
// send it, the allowance shrunk to what the limit has left.
const IN = TEST_PRICE.input / 1000;
const OUT = TEST_PRICE.output / 1000;
const MESSAGES = [{ role: "user", content: "Hi" }];
const PROMPT = estimateChatPromptTokens({ messages: MESSAGES });

beforeAll(async () => {
  await addTestModels(env, [["mt-big-slow", "openai", "paced:300:3:10"]], 100_000);
  await addTestModels(env, [["mt-slow", "openai", "paced:300:3:10"], ["mt-mirror", "openai", "mirror"]]);
});

/** The upstream request the mirror scenario sent back as the reply text. */
function upstreamBody(res: { choices: Array<{ message: { content: string } }> }): Record<string, unknown> {
  return (JSON.parse(res.choices[0]!.message.content) as { body: Record<string, unknown> }).body;
}

describe("a request without max_tokens", () => {
  it("reserves DEFAULT_OUTPUT_ALLOWANCE, not the whole balance: 20 concurrent requests the balance covers are all admitted", async () => {
    // 0.20 USD; a 100,000-token maximum would reserve 0.2 USD (the whole balance) per request.
    const { key, userId } = await createUser("0.20");
    const results = await Promise.all(Array.from({ length: 20 }, () => chat(key, { model: "mt-big-slow", messages: MESSAGES })));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    await Promise.all(results.map((r) => r.arrayBuffer()));
    const s = await drained(userId);
    expect(s.balanceNano).toBe(200_000_000 - 20 * (20 * IN + 3 * OUT));
  });

  it("sends the allowance upstream as the cap, so the reservation bounds the output", async () => {
    await addTestModels(env, [["mt-big-mirror", "openai", "mirror"]], 100_000);
    const { key } = await createUser("10.00");
    const res = await chat(key, { model: "mt-big-mirror", messages: MESSAGES });
    expect(upstreamBody((await res.json()) as never).max_completion_tokens).toBe(4096);
  });

  it("counts its reserved output against the key's tokens per minute", async () => {
    const { key, userId } = await createUser("1.00", { tpm: 500 });
    // The first one is admitted with prompt + 485 output tokens reserved (its allowance shrinks to the tpm left)…
    const first = await chat(key, { model: "mt-slow", messages: MESSAGES, stream: true });
    expect(first.status).toBe(200);
    expect(Number(first.headers.get("x-ratelimit-remaining-tokens"))).toBe(0);
    // …so while it runs, a second one has no tokens left in the window (before: 15 of 500 counted, admitted).
    const second = await chat(key, { model: "mt-slow", messages: MESSAGES, stream: true });
    expect(second.status).toBe(429);
    expect(((await second.json()) as { error: { code: string } }).error.code).toBe("token_rate_limit_exceeded");
    await first.text();
    await drained(userId);
  });

  it("works on a key with a spend limit: the allowance shrinks to the limit's remainder (before: 403 with nothing spent)", async () => {
    const { key, userId } = await createUser("10.00", { spend_limit_usd: "0.001" });
    const res = await chat(key, { model: "mt-mirror", messages: MESSAGES });
    expect(res.status).toBe(200);
    const cap = Math.floor((1_000_000 - PROMPT * IN) / OUT);
    const reply = (await res.json()) as { choices: Array<{ message: { content: string } }> };
    expect(upstreamBody(reply).max_completion_tokens).toBe(cap);
    expect((await drained(userId)).balanceNano).toBe(10_000_000_000 - mirrorBill(reply.choices[0]!.message.content).costNano);
    expect((await account(userId).summary()).holdsNano).toBe(0);
  });
});
