import { env } from "cloudflare:test";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { estimateChatPromptTokens } from "../../src/billing/estimate";
import { parseUsd } from "../../src/lib/money";
import { addTestModels, TEST_PRICE } from "../helpers/catalog";
import { account, chat, createUser, drained, usageRows } from "../helpers/gateway";

// Issue 12 item 4: the upstream is not trusted with money. Against a stand-in that reports usage
// as zero, missing, early (before the content), absurd (10^12), low (a quarter of what it sent) or
// that ignores the output cap,
// the charge always lies between the output counted from what was relayed and the request's max
// charge (reservation plus its bounded overdraft share) — and usage.cost shows exactly what was charged (item 5).
const IN = TEST_PRICE.input / 1000;
const OUT = TEST_PRICE.output / 1000;
const OVERDRAFT = 50_000_000;
const MAX_OUTPUT = 1000;
const MESSAGES = [{ role: "user", content: "Count to a few." }];
const PROMPT = estimateChatPromptTokens({ messages: MESSAGES });
const MODES = ["zero", "missing", "early", "absurd", "ignore-cap", "under"] as const;
const SIZES = [1, 7, 40] as const;

type Chunk = { choices?: Array<{ delta?: { content?: unknown } }>; usage?: { cost?: unknown } | null };

/** Output pieces the client received, and the usage.cost it was shown (if any). */
async function received(res: Response, stream: boolean): Promise<{ pieces: number; shownCost: number | null }> {
  if (!stream) {
    const body = (await res.json()) as { choices: Array<{ message: { content: string } }>; usage: { cost: unknown } };
    return { pieces: body.choices[0]!.message.content.split("tok ").length - 1, shownCost: parseUsd(String(body.usage.cost)) };
  }
  let pieces = 0;
  let shownCost: number | null = null;
  for (const line of (await res.text()).split("\n")) {
    if (!line.startsWith("data: {")) continue;
    const chunk = JSON.parse(line.slice(6)) as Chunk;
    if ((chunk.choices ?? []).some((c) => typeof c.delta?.content === "string" && c.delta.content)) pieces++;
    if (chunk.usage && chunk.usage.cost !== undefined) shownCost = parseUsd(String(chunk.usage.cost));
  }
  return { pieces, shownCost };
}

describe("hostile usage reports: the charge lies between the relayed output and the reservation plus the overdraft", () => {
  beforeAll(() => addTestModels(env, MODES.flatMap((m) => SIZES.map((n) => [`hx-${m}-${n}`, "openai", `hostile:${m}:${n}`] as const)), MAX_OUTPUT));

  it("property over mode × pieces × stream × max_tokens", async () => {
    const u = await createUser("10.00");
    let expectedSpent = 0;
    await fc.assert(fc.asyncProperty(
      fc.constantFrom(...MODES), fc.constantFrom(...SIZES), fc.boolean(), fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }),
      async (mode, n, stream, maxTokens) => {
        const res = await chat(u.key, {
          model: `hx-${mode}-${n}`, messages: MESSAGES, stream, ...(stream ? { stream_options: { include_usage: true } } : {}),
          ...(maxTokens !== undefined ? { max_tokens: maxTokens } : {}),
        });
        expect(res.status).toBe(200);
        const id = res.headers.get("x-request-id")!;
        const { pieces, shownCost } = await received(res, stream);
        expect(pieces).toBe(n);
        await drained(u.userId);
        const row = (await usageRows(u.userId)).find((r) => r.request_id === id)!;
        const charged = Number(row.cost_nano);
        const reservation = PROMPT * IN + (maxTokens ?? MAX_OUTPUT) * OUT;
        // Each "tok " piece is one token: never less output than was relayed, streamed or not, whatever
        // the provider reported (max(reported, counted))…
        const floor = n;
        expect(Number(row.completion_tokens)).toBeGreaterThanOrEqual(floor);
        // …and never more than the request's max charge: its reservation plus its share of the
        // wallet's overdraft, min(reservation, the pool); what the cap keeps out is a waiver row.
        const maxCharge = reservation + Math.min(reservation, OVERDRAFT);
        expect(charged).toBeGreaterThanOrEqual(Math.min(floor * OUT, maxCharge));
        expect(charged).toBeLessThanOrEqual(maxCharge);
        if (charged < floor * OUT) {
          const waiver = (await account(u.userId).ledger()).find((e) => e.kind === "waiver" && e.ref === id);
          expect(waiver?.waivedNano).toBeGreaterThanOrEqual(floor * OUT - charged);
        }
        // The cost shown is the cost charged.
        expect(shownCost).toBe(charged);
        expectedSpent += charged;
      }), { numRuns: 30, seed: 12 });
    const s = await drained(u.userId);
    expect(s.balanceNano).toBe(10_000_000_000 - expectedSpent);
    expect((await account(u.userId).ledger()).filter((e) => e.kind === "usage").reduce((a, e) => a - e.amountNano, 0)).toBe(expectedSpent);
  });

  it("a provider that reports a quarter of what it sent is billed all it sent, streamed or not (max(reported, counted))", async () => {
    const u = await createUser("1.00");
    for (const stream of [false, true]) {
      const res = await chat(u.key, { model: "hx-under-40", messages: MESSAGES, stream, ...(stream ? { stream_options: { include_usage: true } } : {}) });
      const id = res.headers.get("x-request-id")!;
      expect((await received(res, stream)).pieces).toBe(40);
      await drained(u.userId);
      const row = (await usageRows(u.userId)).find((r) => r.request_id === id)!;
      // The stand-in reported 10 output tokens; 40 were relayed, and the prompt as reported (20).
      expect(Number(row.completion_tokens)).toBe(40);
      expect(Number(row.cost_nano)).toBe(20 * IN + 40 * OUT);
    }
  });
});
