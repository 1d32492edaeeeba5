import type { PromptFigures, TokenizerFamily } from "../../billing/estimate";
import { countTokensAtLeast } from "../../billing/tokenizer";
import { countCompletionTokens, decideUsage } from "../../billing/usage";
import type { UsageSource } from "../../account/types";
import type { TokenUsage } from "../../providers/types";
import type { Served } from "../meter";

/** Providers whose models count tokens with o200k (OpenAI's own API, and the local demo). */
const O200K_PROVIDERS = new Set(["openai", "azure", "demo"]);

export function tokenizerFamily(served: Served): TokenizerFamily {
  return O200K_PROVIDERS.has(served.provider) ? "o200k" : "unknown";
}

/** What the gateway knows of a request's prompt and output allowance when it bills it. */
export interface BillingBasis {
  prompt: PromptFigures;
  /** The estimate the reservation was made for (prompt.estimate plus any tokens added before admission). */
  promptEstimate: number;
  /** Output tokens the reservation covers. */
  outputAllowance: number;
}

/** Output the gateway relayed: its text (never stored), the chunks that carried any, and whether it was streamed. */
export interface Relayed {
  text: string;
  chunks: number;
  streamed: boolean;
}

/** A billed usage: the figures, where they came from. */
export interface BilledUsage { usage: TokenUsage; source: UsageSource }

/**
 * The usage bounds, built in this one place for every endpoint and for streams and answers alike:
 * the prompt is bounded by the model's context length (a reported prompt also holds what the
 * gateway cannot see: provider tool prompts, cache reads, stored context), the output by the
 * allowance, and the output billed is max(what the provider reported, what the gateway counted in
 * what it relayed) — an under-reporting provider is billed what it sent. The money is then bounded
 * once more by the admission's maxChargeNano (meter.ts). `complete` is false for a stream that did
 * not finish: its reported usage is provisional, so the missing-usage count is the least output billed.
 */
export function billUsage(reported: TokenUsage | null, basis: BillingBasis, served: Served, relayed: Relayed, complete = true): BilledUsage {
  const family = tokenizerFamily(served);
  // What of the report can be billed without the count: none of a provisional or empty report.
  const believable = complete && reported && reported.completionTokens > 0 ? Math.min(reported.completionTokens, basis.outputAllowance) : 0;
  const counted = countRelayed(relayed, family, believable);
  return decideUsage(reported, {
    promptEstimate: basis.promptEstimate,
    countedCompletion: counted.estimate,
    outputFloor: !complete ? counted.estimate : counted.floor,
    maxPrompt: Math.max(served.model.contextLength, basis.promptEstimate),
    maxCompletion: basis.outputAllowance,
  });
}

/**
 * The relayed output counted two ways: `floor`, a lower bound of any honest count (o200k's own
 * count for o200k models; for others one token per chunk that carried output, or half the o200k
 * count, whichever is more, since another tokenizer may need fewer tokens for the same text), and
 * `estimate`, the count billed when usage is missing (countCompletionTokens).
 *
 * The text is tokenized only when its count could be billed: when `believable` (the reported output
 * within the allowance) is at least the most tokens the text can hold (every token is at least one
 * UTF-8 byte, at most 3 per UTF-16 unit), no count can exceed it and the text is left unread.
 */
function countRelayed(relayed: Relayed, family: TokenizerFamily, believable: number): { floor: number; estimate: number } {
  // Trailing white space is left out: a cut stream's last space joins the next word's token.
  const text = relayed.text.trimEnd();
  const mostTokens = family === "o200k" ? text.length * 3 : Math.max(relayed.chunks, Math.ceil((text.length * 3) / 2));
  const unread = believable > 0 && believable >= mostTokens;
  const tokens = unread ? 0 : countTokensAtLeast(text);
  const familyTokens = family === "o200k" ? tokens : Math.ceil(tokens / 2);
  const floor = family === "o200k" ? tokens : Math.max(relayed.chunks, familyTokens);
  return { floor, estimate: countCompletionTokens(relayed.text.length, relayed.chunks, familyTokens) };
}
