import type { ProviderQuirks, TokenUsage } from "../types";

type Raw = Record<string, unknown> | null | undefined;

const field = (o: unknown, key: string): unknown => (o && typeof o === "object" ? (o as Record<string, unknown>)[key] : undefined);

/**
 * Reads an OpenAI-format `usage` object. Returns null when it is missing or not made of
 * non-negative integers (the caller then applies the missing-usage rule, docs/architecture.md).
 * - prompt_tokens includes cached tokens (prompt_tokens_details.cached_tokens; DeepSeek's
 *   prompt_cache_hit_tokens).
 * - completion_tokens includes reasoning tokens, except on xAI, whose reasoning tokens are
 *   added to it here because they are billed as output.
 */
export function readOpenAIUsage(raw: Raw, quirks: ProviderQuirks): TokenUsage | null {
  if (!raw || typeof raw !== "object") return null;
  const prompt = raw.prompt_tokens;
  const completion = raw.completion_tokens ?? 0;
  const cached = field(raw.prompt_tokens_details, "cached_tokens") ?? raw.prompt_cache_hit_tokens ?? 0;
  const reasoning = field(raw.completion_tokens_details, "reasoning_tokens") ?? 0;
  const all = [prompt, completion, cached, reasoning];
  if (!all.every((n) => Number.isSafeInteger(n) && (n as number) >= 0)) return null;
  const [p, c, ca, r] = all as number[];
  return {
    promptTokens: p!,
    completionTokens: quirks.reasoningExcludedFromCompletion ? c! + r! : c!,
    cachedTokens: Math.min(ca!, p!),
    cacheWriteTokens: 0,
    reasoningTokens: r!,
  };
}
