import type { OpenAIChatChunk, StreamTranslator } from "../transform";
import type { ProviderQuirks, TokenUsage } from "../types";
import { readOpenAIUsage } from "./usage";

type Chunk = OpenAIChatChunk & { error?: { message?: unknown; type?: unknown } };

/**
 * OpenAI-format streams need no translation: each event's chunk is passed on as it is. This
 * reads what the gateway needs on the way: usage (wherever it comes: a usage-only last chunk,
 * or on the finish chunk as DeepSeek and Groq send it), completion, and in-stream errors.
 */
export function openAIStreamTranslator(quirks: ProviderQuirks): StreamTranslator {
  let usage: TokenUsage | null = null;
  let finished = false;
  let error: { message: string; type: string } | null = null;
  return {
    push({ data }) {
      if (data === "[DONE]") {
        finished = true;
        return [];
      }
      if (!data || typeof data !== "object") return [];
      const chunk = data as Chunk;
      if (chunk.error !== undefined) {
        error = { message: "The provider reported an error mid-stream.", type: typeof chunk.error?.type === "string" ? chunk.error.type : "api_error" };
        return [];
      }
      if (chunk.choices !== undefined && (!Array.isArray(chunk.choices) || chunk.choices.some((c) => !c || typeof c !== "object"))) {
        error = { message: "The provider sent a malformed chunk.", type: "api_error" };
        return [];
      }
      if (chunk.usage) usage = readOpenAIUsage(chunk.usage, quirks);
      if (chunk.choices?.some((c) => c.finish_reason)) finished = true;
      return [chunk];
    },
    end: () => [],
    usage: () => usage,
    finished: () => finished,
    error: () => error,
  };
}
