import type { ChatTransform } from "./transform";

/** Wire differences between OpenAI-compatible providers that matter to billing and requests. */
export interface ProviderQuirks {
  /** Field used when the gateway caps output: OpenAI prefers max_completion_tokens (reasoning models reject max_tokens). */
  maxTokensField: "max_tokens" | "max_completion_tokens";
  /** xAI reports reasoning tokens outside completion_tokens; they are billed as output. */
  reasoningExcludedFromCompletion: boolean;
}

/** The wire format a provider speaks. */
export type ProviderKind = "openai" | "anthropic" | "google" | "cohere";

export interface ProviderError { message: string; type: string; code?: string | null; param?: string | null }

export interface Provider {
  name: string;
  kind: ProviderKind;
  baseUrl: string;
  apiKey: string | null;
  quirks: ProviderQuirks;
  /** The headers that carry the provider key (Authorization, x-api-key or x-goog-api-key). */
  authHeaders: Record<string, string>;
  /** OpenAI Chat Completions ⇄ this provider. */
  chat: ChatTransform;
  /** Reads the provider's error body. */
  errorMessage(body: unknown): ProviderError | null;
  /** Seconds to wait, from an error body (Gemini's RetryInfo), when there is no Retry-After header. */
  retryAfterFromBody?(body: unknown): number | null;
  /** How to reach it: the global fetch, or an in-worker function for the demo provider. */
  fetch: (request: Request) => Promise<Response>;
  /** Set when this carries the caller's own provider key (BYOK) instead of the gateway's. */
  byok?: { allowFallback: boolean };
}

/** Token figures of one response, normalised across providers. completionTokens includes reasoning. */
export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  cacheWriteTokens: number;
  /** The part of cacheWriteTokens written with a 1-hour TTL (Anthropic's usage.cache_creation split), priced higher. */
  cacheWrite1hTokens?: number;
  reasoningTokens: number;
}
