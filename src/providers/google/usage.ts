import type { TokenUsage } from "../types";
import { isCount, isObject } from "./wire";

/**
 * Reads Gemini `usageMetadata` into TokenUsage. Returns null when it holds no usable figures, e.g.
 * the intermediate Vertex stream chunks whose usageMetadata carries only `trafficType`, or
 * negative / non-integer counts (the gateway then applies its missing-usage rule).
 *
 * - promptTokens = promptTokenCount + toolUsePromptTokenCount (tool-use prompt tokens are input;
 *   `totalTokenCount` counts them separately from promptTokenCount).
 * - cachedTokens = cachedContentTokenCount ?? 0 (a subset of promptTokenCount; implicit or explicit
 *   context caching). Gemini reports no cache writes: cacheWriteTokens = 0.
 * - completionTokens = candidatesTokenCount + thoughtsTokenCount: thinking is billed as output and
 *   candidatesTokenCount excludes it (total = prompt + candidates + thoughts).
 * - reasoningTokens = thoughtsTokenCount ?? 0.
 *
 * In a stream every usageMetadata is cumulative: callers replace the previous figures, never add.
 */
export function readGeminiUsage(meta: unknown): TokenUsage | null {
  if (!isObject(meta) || !isCount(meta.promptTokenCount)) return null;
  const prompt = meta.promptTokenCount;
  const rest = [meta.candidatesTokenCount ?? 0, meta.thoughtsTokenCount ?? 0, meta.cachedContentTokenCount ?? 0, meta.toolUsePromptTokenCount ?? 0];
  if (!rest.every(isCount)) return null;
  const [candidates, thoughts, cached, toolUse] = rest as [number, number, number, number];
  return {
    promptTokens: prompt + toolUse,
    completionTokens: candidates + thoughts,
    cachedTokens: Math.min(cached, prompt),
    cacheWriteTokens: 0,
    reasoningTokens: thoughts,
  };
}

/** TokenUsage as an OpenAI `usage` object (the shape readOpenAIUsage reads back identically). */
export function toOpenAIUsage(u: TokenUsage): Record<string, unknown> {
  return {
    prompt_tokens: u.promptTokens,
    completion_tokens: u.completionTokens,
    total_tokens: u.promptTokens + u.completionTokens,
    prompt_tokens_details: { cached_tokens: u.cachedTokens },
    completion_tokens_details: { reasoning_tokens: u.reasoningTokens },
  };
}
