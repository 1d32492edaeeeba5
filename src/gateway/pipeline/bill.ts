import type { PromptFigures, TokenizerFamily } from "../../billing/estimate";
import { countTokens } from "../../billing/tokenizer";
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
  /** Output kept coming after the provider had reported its usage (a report sent before the content). */
  outputAfterUsage?: boolean;
}

/** A billed usage: the figures, where they came from. */
export interface BilledUsage { usage: TokenUsage; source: UsageSource }

/**
 * The usage bounds, built in this one place for every endpoint and for streams and answers alike:
 * the prompt is bounded by the model's context length (a reported prompt also holds what the
 * gateway cannot see: provider tool prompts, cache reads, stored context), the output by the
 * allowance, and the output billed is never below what was relayed. The money is then bounded
 * once more by the admission's maxChargeNano (meter.ts). `complete` is false for a stream that did not
 * finish: its reported usage is provisional, so the missing-usage count is the least output billed.
 */
export function billUsage(reported: TokenUsage | null, basis: BillingBasis, served: Served, relayed: Relayed, complete = true): BilledUsage {
  const family = tokenizerFamily(served);
  // A finished stream's report is believed unless it came before the content, or the provider sent
  // more chunks than the allowance (it ignored the cap): then the output relayed is the floor.
  const distrusted = relayed.outputAfterUsage === true || relayed.chunks > basis.outputAllowance;
  // The relayed text is tokenized only when its count can be billed: no report, a report of zero
  // output, an unfinished stream or a distrusted report. A believed report of a finished answer is
  // billed as reported (decideUsage's floor is 0), so its count could not change the bill.
  const needed = !reported || reported.completionTokens === 0 || !complete || distrusted;
  // Trailing white space is left out: a cut stream's last space joins the next word's token.
  const tokens = needed ? countTokens(relayed.text.trimEnd()) : 0;
  // An unknown tokenizer may need fewer tokens than o200k for the same text: half of its count is used.
  const familyTokens = family === "o200k" ? tokens : Math.ceil(tokens / 2);
  const counted = countCompletionTokens(relayed.text.length, relayed.chunks, familyTokens);
  const decided = decideUsage(reported, {
    promptEstimate: basis.promptEstimate,
    countedCompletion: counted,
    outputFloor: !complete ? counted : distrusted ? (family === "o200k" ? tokens : relayed.chunks) : 0,
    maxPrompt: Math.max(served.model.contextLength, basis.promptEstimate),
    maxCompletion: basis.outputAllowance,
  });
  return decided;
}
