/** Wire differences between OpenAI-compatible providers that matter to billing and requests. */
export interface ProviderQuirks {
  /** Field used when the gateway caps output: OpenAI prefers max_completion_tokens (reasoning models reject max_tokens). */
  maxTokensField: "max_tokens" | "max_completion_tokens";
  /** xAI reports reasoning tokens outside completion_tokens; they are billed as output. */
  reasoningExcludedFromCompletion: boolean;
}

export interface Provider {
  name: string;
  baseUrl: string;
  apiKey: string | null;
  quirks: ProviderQuirks;
  /** How to reach it: the global fetch, or an in-worker function for the demo provider. */
  fetch: (request: Request) => Promise<Response>;
}

/** Token figures of one response, normalised across providers. completionTokens includes reasoning. */
export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
}
