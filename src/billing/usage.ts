import type { CatalogModel } from "../catalog/catalog";
import type { TokenUsage } from "../providers/types";
import type { UsageSource } from "../account/types";
import { type Nano } from "../lib/money";
import { priceTokens } from "./pricing";

/**
 * cost = (uncached prompt × input + cached × cached-input + cache writes × cache-write
 *         + completion × output) / 1,000,000, with prices per 1M tokens. Cached and cache-write
 * tokens fall back to the input price when the catalog has no separate price. `m` may carry
 * cacheWrite1hPrice (a CatalogModel does): see priceTokens.
 */
export function priceUsage(u: TokenUsage, m: Pick<CatalogModel, "inputPrice" | "outputPrice" | "cachedInputPrice" | "cacheWritePrice">): Nano {
  return priceTokens(u, m); // src/billing/pricing.ts (1-hour cache writes priced apart, issue 12 item 3)
}

export interface UsageBounds {
  /** The gateway's own prompt estimate (used when usage is missing). */
  promptEstimate: number;
  /** Output the gateway itself counted in the response (used when usage is missing). */
  countedCompletion: number;
  /** Largest believable figures: the model's context length for the prompt, the output allowance for completion. */
  maxPrompt: number;
  maxCompletion: number;
}

/**
 * The usage rule (docs/architecture.md, "Usage the upstream did not report properly"):
 * - missing, negative or non-integer usage → the gateway's own count (source "estimated");
 *   the completion count is never below 1 when any output was seen;
 * - figures beyond the believable maximum are cut down to it (source "clamped");
 * - usage can never make a charge negative, so it can never credit the user.
 */
export function decideUsage(reported: TokenUsage | null, b: UsageBounds): { usage: TokenUsage; source: UsageSource } {
  if (!reported) {
    return {
      usage: { promptTokens: b.promptEstimate, completionTokens: b.countedCompletion, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
      source: "estimated",
    };
  }
  const prompt = Math.min(reported.promptTokens, b.maxPrompt);
  const completion = Math.min(reported.completionTokens, b.maxCompletion);
  if (prompt === reported.promptTokens && completion === reported.completionTokens) return { usage: reported, source: "upstream" };
  return {
    usage: {
      promptTokens: prompt,
      completionTokens: completion,
      cachedTokens: Math.min(reported.cachedTokens, prompt),
      cacheWriteTokens: Math.min(reported.cacheWriteTokens, prompt),
      reasoningTokens: Math.min(reported.reasoningTokens, completion),
    },
    source: "clamped",
  };
}

/** Output tokens estimated from text the gateway saw: about 4 characters per token, at least one per chunk. */
export function countCompletionTokens(chars: number, chunks: number): number {
  return Math.max(Math.ceil(chars / 4), chunks);
}
