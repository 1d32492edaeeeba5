import { ApiError } from "../../errors";
import type { OpenAIChatCompletion } from "../transform";

/** Anthropic API version header value sent with every request. */
export const ANTHROPIC_VERSION = "2023-06-01";

/**
 * Name of the tool the gateway injects to honour `response_format` json_object / json_schema
 * (a forced tool call whose input is the answer). It is reserved: a caller tool with this name is
 * a 400, so a `tool_use` block with this name in a response can only be the injected one, and the
 * response translators turn it back into message `content` (JSON text) without request state.
 */
export const JSON_RESPONSE_TOOL = "gateway_json_response";

export type FinishReason = OpenAIChatCompletion["choices"][number]["finish_reason"];

/**
 * Anthropic `stop_reason` → OpenAI `finish_reason`:
 * end_turn, stop_sequence, pause_turn → stop; max_tokens, model_context_window_exceeded → length;
 * tool_use → tool_calls when a client tool call was produced (only the injected JSON tool → stop);
 * refusal → content_filter; null → null; anything unknown → stop.
 */
export function finishReason(stopReason: unknown, hasClientToolCalls: boolean): FinishReason {
  if (stopReason === null || stopReason === undefined) return null;
  switch (stopReason) {
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "tool_use":
      return hasClientToolCalls ? "tool_calls" : "stop";
    case "refusal":
      return "content_filter";
    default:
      return "stop";
  }
}

/** The 400 for a request parameter Anthropic cannot honour. */
export function unsupported(param: string, message: string): ApiError {
  return new ApiError(400, "unsupported_parameter", message, { param, type: "invalid_request_error" });
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Tool input as OpenAI `arguments`: JSON text, "{}" for a missing or empty input. */
export function argumentsText(input: unknown): string {
  return isRecord(input) && Object.keys(input).length > 0 ? JSON.stringify(input) : "{}";
}
