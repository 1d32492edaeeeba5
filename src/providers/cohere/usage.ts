import type { TokenUsage } from "../types";

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/**
 * Reads Cohere v2 `usage` (chat response, or the `message-end` event's `delta.usage`) into TokenUsage.
 *
 * Cohere bills `billed_units` (input_tokens, output_tokens); `tokens` also counts the tokens of its
 * own system preamble and templates, which are not billed, and `cached_tokens` is a part of
 * `tokens.input_tokens`, not of the billed input. So promptTokens and completionTokens are the
 * billed units, and cachedTokens is 0: Cohere publishes no discounted cache price. Cohere reports
 * no reasoning split here. null when billed_units is missing or malformed (the gateway then
 * applies its missing-usage rule).
 */
export function readCohereUsage(usage: unknown): TokenUsage | null {
  if (!isObject(usage) || !isObject(usage.billed_units)) return null;
  const { input_tokens: input, output_tokens: output = 0 } = usage.billed_units;
  if (!isCount(input) || !isCount(output)) return null;
  return { promptTokens: input, completionTokens: output, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
}

/** Cohere finish_reason → OpenAI finish_reason. */
export function finishReason(reason: unknown): "stop" | "length" | "tool_calls" | "content_filter" {
  if (reason === "MAX_TOKENS") return "length";
  if (reason === "TOOL_CALL") return "tool_calls";
  if (reason === "ERROR_TOXIC") return "content_filter";
  return "stop"; // COMPLETE, STOP_SEQUENCE, and anything new
}
