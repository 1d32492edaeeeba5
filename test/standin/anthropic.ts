// Anthropic Messages route: POST /anthropic/v1/messages.
import { mustLoad } from "./fixtures.js";
import { handle, type Adapter } from "./handler.js";
import type { Ctx, Reply } from "./http.js";
import { INTERNAL_DETAIL, type ErrorStatus } from "./scenarios.js";

function anthropicError(status: number, type: string, message: string, headers?: Record<string, string>): Reply {
  return { status, headers, body: { type: "error", error: { type, message } } };
}

function modelOf(ctx: Ctx): string {
  return ctx.model || "claude-sonnet-4-5-20250929";
}

const idOf = (ctx: Ctx): string => (ctx.model === "echo" || ctx.model === "mirror" ? "msg_standin_echo" : "msg_standin");

export const anthropicAdapter: Adapter = {
  api: "anthropic",
  defaultFixture: "anthropic/anthropic-text",

  error(status: ErrorStatus, ctx: Ctx, message?: string): Reply {
    switch (status) {
      case 400:
        return { status, body: mustLoad("anthropic/error-message").json };
      case 401:
        // Anthropic itself says only "invalid x-api-key"; the key is echoed to test redaction.
        return anthropicError(401, "authentication_error", `invalid x-api-key: ${ctx.apiKey}`);
      case 404:
        return anthropicError(404, "not_found_error", message ?? `model: ${ctx.model}`);
      case 429:
        return anthropicError(
          429,
          "rate_limit_error",
          "This request would exceed the rate limit for your organization of 50 requests per minute. Please try again in 7s.",
          { "retry-after": "7" },
        );
      case 500:
        return anthropicError(500, "api_error", `Internal server error (${INTERNAL_DETAIL})`);
      case 503:
        return anthropicError(503, "overloaded_error", `Overloaded (${INTERNAL_DETAIL})`);
    }
  },

  message(ctx, text, usage) {
    return {
      id: idOf(ctx),
      type: "message",
      role: "assistant",
      model: modelOf(ctx),
      content: [{ type: "text", text }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: { input_tokens: usage.prompt, output_tokens: usage.completion },
    };
  },

  events(ctx, pieces, usage) {
    const head = [
      {
        type: "message_start",
        message: {
          id: idOf(ctx),
          type: "message",
          role: "assistant",
          model: modelOf(ctx),
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: usage.prompt, output_tokens: 1 },
        },
      },
      { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
      { type: "ping" },
    ];
    const deltas = pieces.map((text) => ({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text } }));
    const tail = [
      { type: "content_block_stop", index: 0 },
      {
        type: "message_delta",
        delta: { stop_reason: "end_turn", stop_sequence: null },
        usage: { input_tokens: usage.prompt, output_tokens: usage.completion },
      },
      { type: "message_stop" },
    ];
    return { head, deltas, tail };
  },
};

export function handleMessages(ctx: Ctx): Promise<void> {
  return handle(anthropicAdapter, ctx);
}
