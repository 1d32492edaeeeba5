import type { TokenUsage } from "../types";
import { isRecord } from "./shared";

const FIELDS = ["input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"] as const;

const count = (v: unknown): number | null => (Number.isSafeInteger(v) && (v as number) >= 0 ? (v as number) : null);

/**
 * Anthropic `usage` → TokenUsage. Returns null when input_tokens or output_tokens is missing,
 * or any figure present is not a non-negative integer (the missing-usage rule then applies).
 * - promptTokens = input_tokens + cache_creation_input_tokens + cache_read_input_tokens
 *   (Anthropic's input_tokens excludes cache writes and reads); missing/null cache fields → 0.
 * - cachedTokens = cache_read_input_tokens; cacheWriteTokens = cache_creation_input_tokens, of which
 *   cacheWrite1hTokens = cache_creation.ephemeral_1h_input_tokens (written with ttl "1h", priced higher).
 * - completionTokens = output_tokens (it includes thinking).
 * - reasoningTokens = output_tokens_details.thinking_tokens when present, else 0 (Anthropic
 *   reports no separate thinking count on most models).
 */
export function readAnthropicUsage(raw: unknown): TokenUsage | null {
  if (!isRecord(raw)) return null;
  const input = count(raw.input_tokens);
  const output = count(raw.output_tokens);
  if (input === null || output === null) return null;
  const optional = (v: unknown): number | null => (v === undefined || v === null ? 0 : count(v));
  const write = optional(raw.cache_creation_input_tokens);
  const read = optional(raw.cache_read_input_tokens);
  const thinking = optional(isRecord(raw.output_tokens_details) ? raw.output_tokens_details.thinking_tokens : undefined);
  const oneHour = optional(isRecord(raw.cache_creation) ? raw.cache_creation.ephemeral_1h_input_tokens : undefined);
  if (write === null || read === null || thinking === null || oneHour === null) return null;
  return {
    promptTokens: input + write + read,
    completionTokens: output,
    cachedTokens: read,
    cacheWriteTokens: write,
    ...(oneHour > 0 ? { cacheWrite1hTokens: Math.min(oneHour, write) } : {}),
    reasoningTokens: Math.min(thinking, output),
  };
}

/**
 * Stream usage: message_start carries provisional figures; message_delta carries cumulative,
 * final ones that replace them. Each numeric field in `next` overrides the same field in `prev`
 * (so message_delta's input_tokens replaces a provisional message_start value, as some
 * Anthropic-compatible providers send); fields `next` lacks or sends as null are kept.
 */
export function mergeUsage(prev: Record<string, unknown> | null, next: unknown): Record<string, unknown> | null {
  if (!isRecord(next)) return prev;
  const out: Record<string, unknown> = { ...(prev ?? {}) };
  for (const f of FIELDS) if (typeof next[f] === "number") out[f] = next[f];
  const details = isRecord(next.output_tokens_details) ? next.output_tokens_details : null;
  if (details && typeof details.thinking_tokens === "number") out.output_tokens_details = { thinking_tokens: details.thinking_tokens };
  if (isRecord(next.cache_creation)) out.cache_creation = next.cache_creation;
  return out;
}

/**
 * TokenUsage → OpenAI `usage`: prompt_tokens (full prompt incl. cache), completion_tokens
 * (incl. reasoning), total_tokens, prompt_tokens_details.cached_tokens (+ cache_write_tokens,
 * a non-OpenAI extra for cache writes) and completion_tokens_details.reasoning_tokens.
 */
export function toOpenAIUsage(u: TokenUsage): Record<string, unknown> {
  return {
    prompt_tokens: u.promptTokens,
    completion_tokens: u.completionTokens,
    total_tokens: u.promptTokens + u.completionTokens,
    prompt_tokens_details: { cached_tokens: u.cachedTokens, cache_write_tokens: u.cacheWriteTokens },
    completion_tokens_details: { reasoning_tokens: u.reasoningTokens },
  };
}
