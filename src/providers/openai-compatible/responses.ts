import type { OpenAIChatChunk, StreamTranslator } from "../transform";
import type { TokenUsage } from "../types";

/**
 * OpenAI's Responses API, served by passing it through (clients keep chaining with
 * previous_response_id, so nothing is rewritten). This reads what billing needs.
 */

/** Responses usage: input includes cached tokens, output includes reasoning tokens. */
export function readResponsesUsage(raw: unknown): TokenUsage | null {
  if (!raw || typeof raw !== "object") return null;
  const u = raw as { input_tokens?: unknown; output_tokens?: unknown; input_tokens_details?: { cached_tokens?: unknown }; output_tokens_details?: { reasoning_tokens?: unknown } };
  const figures = [u.input_tokens, u.output_tokens, u.input_tokens_details?.cached_tokens ?? 0, u.output_tokens_details?.reasoning_tokens ?? 0];
  if (!figures.every((n) => Number.isSafeInteger(n) && (n as number) >= 0)) return null;
  const [input, output, cached, reasoning] = figures as number[];
  return { promptTokens: input!, completionTokens: output!, cachedTokens: Math.min(cached!, input!), cacheWriteTokens: 0, reasoningTokens: reasoning! };
}

/**
 * Event types that carry billed output (text, reasoning, refusals, tool-call arguments). Reasoning
 * summaries are not among them: OpenAI writes them with a summarizer outside output_tokens (a
 * recorded stream reports 28 output tokens for a 38-token summary and a 13-token call), so counting
 * them would bill an honest report up.
 */
const OUTPUT_DELTAS = new Set([
  "response.output_text.delta", "response.reasoning_text.delta",
  "response.refusal.delta", "response.function_call_arguments.delta", "response.custom_tool_call_input.delta",
]);

/**
 * Reads a Responses stream: usage and completion from response.completed (or .incomplete),
 * failure from `error` / response.failed, and each output delta as a chat chunk so the relay
 * can count what was generated if the stream ends early.
 */
export function responsesStreamTranslator(ctx: { requestId: string; model: string; created: number }): StreamTranslator {
  let usage: TokenUsage | null = null;
  let finished = false;
  let error: { message: string; type: string } | null = null;
  return {
    push({ data }) {
      if (!data || typeof data !== "object") return [];
      const e = data as { type?: string; delta?: unknown; response?: { usage?: unknown } };
      if (e.type === "response.completed" || e.type === "response.incomplete") {
        usage = readResponsesUsage(e.response?.usage);
        finished = true;
        return [];
      }
      if (e.type === "error" || e.type === "response.failed") {
        error ??= { message: "The provider reported an error mid-stream.", type: "api_error" };
        return [];
      }
      if (e.type && OUTPUT_DELTAS.has(e.type) && typeof e.delta === "string") {
        const chunk: OpenAIChatChunk = {
          id: ctx.requestId, object: "chat.completion.chunk", created: ctx.created, model: ctx.model,
          choices: [{ index: 0, delta: { content: e.delta }, finish_reason: null }],
        };
        return [chunk];
      }
      return [];
    },
    end: () => [],
    usage: () => usage,
    finished: () => finished,
    error: () => error,
  };
}
