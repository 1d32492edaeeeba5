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
  /** Output the gateway counted in what it relayed, billed when usage is missing (countCompletionTokens). */
  countedCompletion: number;
  /**
   * The least output billed when usage is reported: what the gateway relayed, counted so that an
   * honest report is never below it (one token per chunk that carried output).
   */
  outputFloor: number;
  /** Largest believable figures: the prompt's upper bound, and the output allowance the reservation was made for. */
  maxPrompt: number;
  maxCompletion: number;
}

/**
 * The usage rule (docs/billing.md, "Upstream usage is not trusted"):
 * - missing, negative or non-integer usage → the gateway's own count (source "estimated");
 * - zero output reported for an answer that had output → the gateway's own output count;
 * - reported output below what the gateway relayed is raised to the relayed count (source
 *   "estimated"): a provider that reports before the content is billed what it sent;
 * - figures above the believable maximum are cut down to it (source "clamped"); the relayed
 *   count still wins over the allowance (a provider that ignored the cap is billed what it sent,
 *   and the charge is bounded by the admission's maxChargeNano);
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
  const capped = Math.min(reported.completionTokens, b.maxCompletion);
  const floor = reported.completionTokens === 0 ? b.countedCompletion : b.outputFloor;
  const completion = Math.max(capped, floor);
  if (prompt === reported.promptTokens && completion === reported.completionTokens) return { usage: reported, source: "upstream" };
  const lowered = prompt < reported.promptTokens || capped < reported.completionTokens;
  return {
    usage: {
      promptTokens: prompt,
      completionTokens: completion,
      cachedTokens: Math.min(reported.cachedTokens, prompt),
      cacheWriteTokens: Math.min(reported.cacheWriteTokens, prompt),
      reasoningTokens: Math.min(reported.reasoningTokens, completion),
    },
    source: lowered ? "clamped" : "estimated",
  };
}

/**
 * Output tokens counted from text the gateway relayed, billed when usage is missing: the largest
 * of about 4 characters per token, one per chunk that carried output, and the tokenizer's count.
 */
export function countCompletionTokens(chars: number, chunks: number, tokens = 0): number {
  return Math.max(Math.ceil(chars / 4), chunks, tokens);
}
