import { ApiError } from "../../errors";
import type { TokenUsage } from "../../providers/types";

/**
 * Anthropic response shapes the gateway writes (anthropic-version 2023-06-01), and the small
 * mapping rules shared by the non-streamed (from-openai.ts) and streamed (stream.ts) translators.
 */

export type StopReason = "end_turn" | "max_tokens" | "stop_sequence" | "tool_use" | "refusal";

export type AnthropicContentBlock =
  | { type: "thinking"; thinking: string; signature: string }
  | { type: "text"; text: string }
  | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> };

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

export interface AnthropicMessage {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: AnthropicContentBlock[];
  stop_reason: StopReason | null;
  stop_sequence: null;
  usage: AnthropicUsage;
}

export interface SurfaceContext {
  /** The gateway's request id: the message id. */
  requestId: string;
  /** The model id the caller asked for. */
  model: string;
}

/**
 * OpenAI `finish_reason` → Anthropic `stop_reason`:
 * stop → end_turn; length → max_tokens; tool_calls (and legacy function_call) → tool_use;
 * content_filter → refusal; null/unknown → end_turn.
 * A response that holds tool_use blocks ends with tool_use whatever the provider said (some say
 * "stop" after a tool call; Anthropic clients run tools on tool_use), unless it was cut off
 * (max_tokens) or filtered (refusal); "tool_calls" without any call → end_turn.
 * A refusal (OpenAI `refusal` text) → refusal.
 * OpenAI reports a stop-sequence hit as plain "stop" without saying which one, so "stop_sequence"
 * is never produced and `stop_sequence` is always null.
 */
export function stopReason(finish: string | null | undefined, hasToolUse: boolean, refused = false): StopReason {
  if (finish === "length") return "max_tokens";
  if (finish === "content_filter") return "refusal";
  if (hasToolUse) return "tool_use";
  return refused ? "refusal" : "end_turn";
}

/**
 * The gateway's TokenUsage → Anthropic usage. Anthropic's input_tokens excludes cache reads and
 * writes, which it reports separately; TokenUsage.promptTokens is the full prompt, so
 * input_tokens = promptTokens − cachedTokens − cacheWriteTokens (never below 0).
 * output_tokens = completionTokens (includes reasoning, as Anthropic's includes thinking).
 */
export function anthropicUsage(u: TokenUsage): AnthropicUsage {
  return {
    input_tokens: Math.max(0, u.promptTokens - u.cachedTokens - u.cacheWriteTokens),
    output_tokens: u.completionTokens,
    cache_creation_input_tokens: u.cacheWriteTokens,
    cache_read_input_tokens: u.cachedTokens,
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * OpenAI `function.arguments` (JSON text) → Anthropic tool_use `input` (an object).
 * "" and "{}" → {}. Text that is not JSON, or JSON that is not an object, cannot be expressed as
 * an Anthropic input and also becomes {} (the client's tool then reports missing arguments to the
 * model, which can retry) — a model fault the gateway cannot repair.
 */
export function toolInput(args: string | null | undefined): Record<string, unknown> {
  if (!args || args.trim() === "") return {};
  try {
    const parsed: unknown = JSON.parse(args);
    return isRecord(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

/** The tool_use id: the provider's call id, or a stable one made from the request id. */
export function toolUseId(id: string | null | undefined, requestId: string, index: number): string {
  return id ? id : `toolu_${requestId}_${index}`;
}

/** The 400 for a request the gateway cannot translate for a non-Claude model. */
export function unsupported(param: string, message: string): ApiError {
  return new ApiError(400, "unsupported_parameter", message, { param, type: "invalid_request_error" });
}
