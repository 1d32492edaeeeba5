import type { ChatCompletionRequest } from "../wire/chat";
import type { TokenUsage } from "./types";

/**
 * The contract every non-OpenAI provider implements: pure, typed transforms between the OpenAI
 * Chat Completions wire format (what callers speak) and the provider's own wire format.
 * No I/O, no clocks, no randomness except through `ctx`. Tested against the recorded fixtures.
 */

/** OpenAI chat.completion (non-streamed) as the gateway returns it. */
export interface OpenAIChatCompletion {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: Array<{
    index: number;
    message: {
      role: "assistant";
      content: string | null;
      reasoning_content?: string | null;
      tool_calls?: Array<{ id: string; type: "function"; function: { name: string; arguments: string } }>;
      refusal?: string | null;
    };
    finish_reason: "stop" | "length" | "tool_calls" | "content_filter" | null;
    logprobs: null;
  }>;
  usage?: Record<string, unknown>;
}

/** OpenAI chat.completion.chunk. */
export interface OpenAIChatChunk {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  choices: Array<{
    index: number;
    delta: {
      role?: "assistant";
      content?: string | null;
      reasoning_content?: string | null;
      tool_calls?: Array<{ index: number; id?: string; type?: "function"; function: { name?: string; arguments: string } }>;
    };
    finish_reason: OpenAIChatCompletion["choices"][number]["finish_reason"];
  }>;
  usage?: Record<string, unknown> | null;
}

export interface TransformContext {
  /** Response id to put in translated output (the gateway's request id). */
  requestId: string;
  /** The model id the caller asked for (shown in translated output). */
  model: string;
  /** The provider's model name. */
  upstreamModel: string;
  /** Output cap the gateway must enforce when the caller set none; null = none. */
  outputCap: number | null;
  /** Unix seconds for `created`. */
  created: number;
}

/** A request for the provider: path relative to its base URL, extra headers, JSON body. */
export interface UpstreamRequest {
  path: string;
  headers: Record<string, string>;
  body: unknown;
  /** Request fields the translation dropped (hints), for the `x-gateway-dropped-params` header. */
  dropped?: string[];
}

/** Converts a provider's SSE events, one at a time, into OpenAI chunks. */
export interface StreamTranslator {
  /** One upstream SSE event (its `event:` name, if any, and its parsed `data:` JSON). */
  push(event: { event: string | null; data: unknown }): OpenAIChatChunk[];
  /** The upstream stream ended; returns any final chunks (e.g. the finish chunk). */
  end(): OpenAIChatChunk[];
  /** Usage known so far (final figures once the stream has ended), or null if none was reported. */
  usage(): TokenUsage | null;
  /** True once the provider signalled a complete response (e.g. Anthropic message_stop, Gemini finishReason). */
  finished(): boolean;
  /** An error the provider reported inside the stream, if any; the gateway then ends the stream. */
  error?(): { message: string; type: string } | null;
}

export interface ChatTransform {
  /** Builds the upstream request; throws ApiError(400) for a parameter the provider cannot honour. */
  request(req: ChatCompletionRequest, ctx: TransformContext): UpstreamRequest;
  /** Translates a non-streamed response body. */
  response(body: unknown, ctx: TransformContext): { completion: OpenAIChatCompletion; usage: TokenUsage | null };
  stream(ctx: TransformContext): StreamTranslator;
}
