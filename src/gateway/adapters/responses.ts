import { z } from "zod";
import { measureChatPrompt } from "../../billing/estimate";
import { usdJsonNumber } from "../../billing/money";
import { ApiError } from "../../errors";
import { readResponsesUsage, responsesStreamTranslator } from "../../providers/openai-compatible/responses";
import { planCandidates } from "../dispatch";
import { responsesOutputText } from "../pipeline/output-text";
import { refusePricedOptions } from "../pipeline/priced-options";
import type { EndpointAdapter } from "../pipeline/types";
import { noProvider, resolveModels } from "../resolve";
import type { StreamSink } from "../stream-relay";

/**
 * The Responses API carries many evolving fields; the gateway checks the ones it relies on and
 * passes the rest to the provider, which validates them.
 */
export const responsesSchema = z.looseObject({
  model: z.string().min(1).max(256),
  input: z.union([z.string().max(4_000_000), z.array(z.unknown()).max(4096)]).optional(),
  instructions: z.string().max(4_000_000).nullable().optional(),
  stream: z.boolean().nullable().optional(),
  max_output_tokens: z.number().int().min(1).max(10_000_000).nullable().optional(),
  tools: z.array(z.unknown()).max(512).optional(),
});
export type ResponsesRequest = z.infer<typeof responsesSchema>;

/** The provider's events as they came; response.completed gets `cost` (what was charged) in its usage. */
function responsesSink(): StreamSink {
  return {
    event(event, _chunks, r) {
      if (!event.event && !event.data) return "";
      // The provider's own failure events may hold account details; the relay sends a clean error instead.
      if (event.event === "error" || event.event === "response.failed") return "";
      let data = event.data;
      if (event.event === "response.completed" || event.event === "response.incomplete") {
        const billed = r.usage();
        const parsed = JSON.parse(data) as { response?: { usage?: Record<string, unknown> } };
        if (billed && parsed.response?.usage) {
          parsed.response.usage = { ...parsed.response.usage, cost: usdJsonNumber(billed.cost) };
          data = JSON.stringify(parsed);
        }
      }
      return `${event.event ? `event: ${event.event}\n` : ""}data: ${data}\n\n`;
    },
    end: () => "",
    error: (message) => `event: error\ndata: ${JSON.stringify({ type: "error", error: { type: "api_error", code: "upstream_stream_error", message, param: null } })}\n\n`,
  };
}

/** The prompt as chat-like parts: input items and instructions as messages, tools and the text format. */
function promptOf(req: ResponsesRequest) {
  const input = typeof req.input === "string" ? [{ role: "user", content: req.input }] : (req.input ?? []);
  const text = (req as { text?: { format?: unknown } }).text?.format;
  return { messages: [...(req.instructions ? [{ role: "system", content: req.instructions }] : []), ...input], tools: req.tools, response_format: text };
}

/** Where stored-conversation state plugs in: previous_response_id to admission, storedResponse to settlement. */
export type ResponsesHooks = Pick<EndpointAdapter, "beforeAdmission" | "settleFields" | "afterSettle">;

/** POST /responses: OpenAI's Responses API, passed through to OpenAI-format providers. */
export function responsesAdapter(req: ResponsesRequest, hooks: ResponsesHooks = {}): EndpointAdapter {
  return {
    ...hooks,
    endpoint: "responses",
    idPrefix: "gen-",
    async plan(env, cfg) {
      refusePricedOptions(req);
      const models = await resolveModels(env, cfg, req.model, undefined, "chat");
      const candidates = planCandidates(env, cfg, models).filter((cand) => cand.provider.kind === "openai");
      if (!candidates.length) {
        if (!planCandidates(env, cfg, models).length) throw noProvider(req.model);
        throw new ApiError(400, "unsupported_model", `The model '${req.model}' is not served through the Responses API here; use /chat/completions.`, { param: "model", type: "invalid_request_error" });
      }
      return { models, candidates, prompt: measureChatPrompt(promptOf(req)), requestedMaxOutput: req.max_output_tokens ?? null, stream: req.stream === true };
    },
    build: (cand, ctx) => ({
      path: "/responses", headers: {},
      body: { ...req, model: cand.channel.upstreamModel, ...(ctx.outputCap !== null ? { max_output_tokens: ctx.outputCap } : {}) },
    }),
    read(json) {
      const body = json as { usage?: Record<string, unknown>; output?: unknown };
      if (!body || typeof body !== "object") throw new Error("not a response");
      return {
        reported: readResponsesUsage(body.usage),
        output: responsesOutputText(body.output),
        body(_billed, charge) {
          body.usage = { ...body.usage, cost: usdJsonNumber(charge.chargedNano) };
          return body;
        },
      };
    },
    stream: (s) => ({ translator: responsesStreamTranslator({ requestId: s.requestId, model: s.served.model.id, created: s.transform.created }), sink: responsesSink() }),
  };
}
