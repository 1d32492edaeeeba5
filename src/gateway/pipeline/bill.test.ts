import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { measureChatPrompt } from "../../billing/estimate";
import { costNano } from "../../lib/money";
import { countTokens, countTokensAtLeast, loadTokenizer } from "../../billing/tokenizer";
import type { CatalogModel } from "../../catalog/catalog";
import type { TokenUsage } from "../../providers/types";
import { chargeFor, maxChargeFor } from "../meter";
import { countCompletionTokens, decideUsage, priceUsage } from "../../billing/usage";
import { billUsage, type BillingBasis } from "./bill";

const model = { id: "m", provider: "openai", contextLength: 100_000, inputPrice: 1_000_000, outputPrice: 2_000_000, cachedInputPrice: 500_000, cacheWritePrice: null } as unknown as CatalogModel;
const served = { model, provider: "openai", attempts: 1 };
const OVERDRAFT = 50_000_000;

beforeAll(() => loadTokenizer());

/** A hostile provider's usage report: zero, missing, partial, early (provisional), absurd, negative, fractional. */
const figure = fc.oneof(fc.constant(0), fc.nat({ max: 5000 }), fc.constant(1e12), fc.constant(-50), fc.constant(2.5), fc.constant(Number.MAX_SAFE_INTEGER));
const report: fc.Arbitrary<TokenUsage | null> = fc.option(fc.record({
  promptTokens: figure, completionTokens: figure, cachedTokens: fc.nat({ max: 100 }), cacheWriteTokens: fc.constant(0), reasoningTokens: fc.nat({ max: 100 }),
}).filter((u) => [u.promptTokens, u.completionTokens].every((n) => Number.isSafeInteger(n) && n >= 0)), { nil: null });

describe("billUsage + chargeFor over hostile usage reports", () => {
  it("the charge lies between the output counted from what was relayed and the reservation plus the overdraft", () => {
    fc.assert(fc.property(report, fc.nat({ max: 400 }), fc.integer({ min: 1, max: 2000 }), fc.string({ maxLength: 200 }), fc.boolean(), (reported, pieces, allowance, userText, complete) => {
      const prompt = measureChatPrompt({ messages: [{ role: "user", content: userText }] });
      const basis: BillingBasis = { prompt, promptEstimate: prompt.estimate, outputAllowance: allowance };
      const relayed = { text: "tok ".repeat(pieces), chunks: pieces, streamed: true };
      const billed = billUsage(reported, basis, served, relayed, complete);
      const reservedNano = costNano([[prompt.estimate, 1_000_000], [allowance, 2_000_000]]);
      const max = maxChargeFor({ reservedNano }, { overdraftNano: OVERDRAFT } as never);
      const charge = chargeFor(priceUsage(billed.usage, model), max);
      // Never less output than was relayed ("tok " × n is n tokens), never more than the bound.
      expect(billed.usage.completionTokens).toBeGreaterThanOrEqual(pieces);
      expect(charge.chargedNano).toBeGreaterThanOrEqual(Math.min(costNano([[pieces, 2_000_000]]), max));
      expect(charge.chargedNano).toBeLessThanOrEqual(reservedNano + OVERDRAFT);
      // The prompt billed never exceeds the context length; the output never exceeds max(allowance, relayed).
      expect(billed.usage.promptTokens).toBeLessThanOrEqual(100_000);
      expect(billed.usage.completionTokens).toBeLessThanOrEqual(Math.max(allowance, pieces, Math.ceil(relayed.text.length / 4), countTokens(relayed.text)));
    }), { numRuns: 500 });
  });

  it("an honest report at least as large as the relayed output is billed as reported", () => {
    const prompt = measureChatPrompt({ messages: [{ role: "user", content: "Hello there" }] });
    const basis: BillingBasis = { prompt, promptEstimate: prompt.estimate, outputAllowance: 100 };
    const reported = { promptTokens: 9, completionTokens: 12, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
    expect(billUsage(reported, basis, served, { text: "tok ".repeat(10), chunks: 10, streamed: true })).toEqual({ usage: reported, source: "upstream" });
  });
});

describe("an under-reporting provider is billed the output it relayed: max(reported, counted)", () => {
  const prompt = measureChatPrompt({ messages: [{ role: "user", content: "Hello there" }] });
  const basis: BillingBasis = { prompt, promptEstimate: prompt.estimate, outputAllowance: 1000 };
  const under = { promptTokens: 9, completionTokens: 3, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
  const text = "The quick brown fox jumps over the lazy dog. ".repeat(10);

  it("an o200k model reporting 3 tokens for a relayed text of more is billed the text's o200k count, streamed or not", () => {
    const tokens = countTokens(text.trimEnd());
    expect(tokens).toBeGreaterThan(90);
    for (const relayed of [{ text, chunks: 1, streamed: false }, { text, chunks: 40, streamed: true }]) {
      const billed = billUsage(under, basis, served, relayed);
      expect(billed.usage.completionTokens).toBe(tokens);
      expect(billed.source).toBe("estimated");
    }
  });

  it("another tokenizer's model is billed at least one token per chunk and half the o200k count", () => {
    const other = { ...served, provider: "anthropic" };
    const half = Math.ceil(countTokens(text.trimEnd()) / 2);
    expect(billUsage(under, basis, other, { text, chunks: 1, streamed: false }).usage.completionTokens).toBe(half);
    expect(billUsage(under, basis, other, { text, chunks: 80, streamed: true }).usage.completionTokens).toBe(80);
  });

  it("a report above the count is billed as reported (reasoning the gateway never saw)", () => {
    const reasoning = { ...under, completionTokens: 700, reasoningTokens: 600 };
    expect(billUsage(reasoning, basis, served, { text, chunks: 40, streamed: true })).toEqual({ usage: reasoning, source: "upstream" });
  });
});

describe("billUsage tokenizes the relayed text only when its count can be billed", () => {
  /** The rule with the relayed text always counted (as before the count was skipped). */
  function alwaysCounted(reported: TokenUsage | null, basis: BillingBasis, relayed: { text: string; chunks: number }, complete: boolean) {
    const tokens = countTokensAtLeast(relayed.text.trimEnd());
    const counted = countCompletionTokens(relayed.text.length, relayed.chunks, tokens);
    return decideUsage(reported, {
      promptEstimate: basis.promptEstimate, countedCompletion: counted, outputFloor: !complete ? counted : tokens,
      maxPrompt: Math.max(model.contextLength, basis.promptEstimate), maxCompletion: basis.outputAllowance,
    });
  }

  it("bills exactly what counting every relayed text would bill, for any report, stream state and text", () => {
    fc.assert(fc.property(report, fc.string({ maxLength: 300 }), fc.nat({ max: 80 }), fc.integer({ min: 1, max: 2000 }), fc.boolean(), (reported, text, chunks, allowance, complete) => {
      const basis: BillingBasis = { prompt: measureChatPrompt({ messages: [{ role: "user", content: "hi" }] }), promptEstimate: 9, outputAllowance: allowance };
      const relayed = { text, chunks, streamed: true };
      expect(billUsage(reported, basis, served, relayed, complete)).toEqual(alwaysCounted(reported, basis, relayed, complete));
    }), { numRuns: 1000 });
  });
});
