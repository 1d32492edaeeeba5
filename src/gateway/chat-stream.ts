import { usdJsonNumber } from "../lib/money";
import type { OpenAIChatChunk } from "../providers/transform";
import { sseData } from "./sse";
import type { StreamSink } from "./stream-relay";

type Chunk = OpenAIChatChunk & {
  /** Groq repeats usage here; it is stripped with `usage` when the client did not ask for it. */
  x_groq?: { usage?: unknown } | null;
};

const errorEvent = (message: string) =>
  sseData(JSON.stringify({ error: { message, type: "api_error", code: "upstream_stream_error", param: null } }));

/**
 * Writes OpenAI chunks: each with the gateway's request id; usage kept only if the client asked
 * for it (stream_options.include_usage), then with `cost` and the billed figures — or a usage
 * chunk of the gateway's own at the end when the provider sent none usable, or sent it before it
 * finished (provisional figures are never shown); then `[DONE]`.
 */
export function openAISink(requestId: string, clientWantsUsage: boolean, fallbackModel: string): StreamSink {
  let usageSent = false;
  let model = fallbackModel;
  return {
    event(_event, chunks, r) {
      let out = "";
      for (const chunk of chunks as Chunk[]) {
        chunk.id = requestId;
        if (typeof chunk.model === "string" && chunk.model) model = chunk.model;
        if (chunk.usage) {
          // Usage before the provider finished is provisional: the billed figures go out at the end.
          const billed = clientWantsUsage && r.final() ? r.usage() : null;
          if (billed) {
            const { usage, source, cost } = billed;
            if (source !== "upstream") {
              chunk.usage = { ...chunk.usage, prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens, total_tokens: usage.promptTokens + usage.completionTokens };
            }
            chunk.usage.cost = usdJsonNumber(cost);
            usageSent = true;
          } else {
            delete chunk.usage;
            if (!chunk.choices?.length) continue; // a usage-only chunk the client did not ask for
          }
        } else if (chunk.usage === null && !clientWantsUsage) {
          delete chunk.usage;
        }
        if (!clientWantsUsage && chunk.x_groq?.usage) delete chunk.x_groq.usage;
        out += sseData(JSON.stringify(chunk));
      }
      return out;
    },
    end({ usage, source, cost }) {
      let out = "";
      if (clientWantsUsage && !usageSent) {
        out += sseData(JSON.stringify({
          id: requestId, object: "chat.completion.chunk", created: Math.floor(Date.now() / 1000), model, choices: [],
          usage: {
            prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens, total_tokens: usage.promptTokens + usage.completionTokens,
            cost: usdJsonNumber(cost), ...(source === "estimated" ? { estimated: true } : {}),
          },
        }));
      }
      return out + sseData("[DONE]");
    },
    error: errorEvent,
  };
}
