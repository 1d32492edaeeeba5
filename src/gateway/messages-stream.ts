import { usdJsonNumber } from "../lib/money";
import { anthropicEventStream, sseFrame, type AnthropicEvent } from "../surfaces/anthropic";
import type { StreamSink } from "./stream-relay";

const errorFrame = (message: string) => sseFrame({ event: "error", data: { type: "error", error: { type: "api_error", message } } });

/** Adds the request's cost (USD) to the usage of a message_delta event. */
function withCost(e: AnthropicEvent, cost: number): AnthropicEvent {
  if (e.event !== "message_delta") return e;
  const data = e.data as { usage?: Record<string, unknown> };
  return { ...e, data: { ...data, usage: { ...data.usage, cost: usdJsonNumber(cost) } } };
}

/** Anthropic's event sequence made from OpenAI chunks (a non-Claude model behind /messages). */
export function anthropicSink(ctx: { requestId: string; model: string; inputTokensEstimate: number }): StreamSink {
  const events = anthropicEventStream(ctx);
  return {
    event: (_event, chunks) => chunks.flatMap((c) => events.push(c)).map(sseFrame).join(""),
    end: ({ usage, cost }) => events.finish(usage).map((e) => sseFrame(withCost(e, cost))).join(""),
    error: (message) => events.fail(message).map(sseFrame).join("") || errorFrame(message),
  };
}

/**
 * Claude behind /messages: Anthropic's own events, passed through as they came. Only the message
 * id is replaced by the gateway's request id, and the final message_delta usage gets its `cost`.
 */
export function passthroughSink(requestId: string): StreamSink {
  return {
    event(event, _chunks, r) {
      // The provider's own error event is not passed on: the relay ends the stream with one clean error.
      if (!event.event || event.event === "error") return "";
      if (event.event === "message_start" || event.event === "message_delta") {
        try {
          const data = JSON.parse(event.data) as { message?: { id?: string }; usage?: Record<string, unknown> };
          if (event.event === "message_start" && data.message) data.message.id = requestId;
          const billed = event.event === "message_delta" ? r.usage() : null;
          return sseFrame(billed ? withCost({ event: event.event, data }, billed.cost) : { event: event.event, data });
        } catch {
          return "";
        }
      }
      return `event: ${event.event}\ndata: ${event.data}\n\n`;
    },
    end: () => "",
    error: errorFrame,
  };
}
