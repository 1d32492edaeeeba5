import { measureChatPrompt } from "../../billing/estimate";
import { usdJsonNumber } from "../../lib/money";
import { ApiError } from "../../errors";
import { readResponsesUsage, responsesStreamTranslator } from "../../providers/openai-compatible/responses";
import { planCandidates } from "../dispatch";
import { responsesOutputText } from "../pipeline/output-text";
import { refusePricedOptions } from "../pipeline/priced-options";
import type { EndpointAdapter } from "../pipeline/types";
import { noProvider, resolveModels } from "../resolve";
import type { ResponsesRequest } from "../../wire/responses";
import type { StreamSink } from "../stream-relay";


/** The provider's events as they came; response.completed gets `cost` (what was charged) in its usage. */
function responsesSink(onCompleted: (id: unknown) => void): StreamSink {
  return {
    event(event, _chunks, r) {
      if (!event.event && !event.data) return "";
      // The provider's own failure events may hold account details; the relay sends a clean error instead.
      if (event.event === "error" || event.event === "response.failed") return "";
      let data = event.data;
      if (event.event === "response.completed" || event.event === "response.incomplete") {
        const billed = r.usage();
        const parsed = JSON.parse(data) as { response?: { id?: unknown; usage?: Record<string, unknown> } };
        onCompleted(parsed.response?.id);
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

/**
 * POST /responses: OpenAI's Responses API, passed through to OpenAI-format providers.
 * Stored conversations (docs/billing.md): `previous_response_id` goes to admission, where the
 * wallet reserves for the stored context or answers 404 for an id that is not this wallet's; the
 * request goes upstream with `store: false` unless the caller sent `store: true`, and a stored
 * answer's id and context tokens (numbers only) are recorded at settlement.
 */
export function responsesAdapter(req: ResponsesRequest): EndpointAdapter {
  const store = req.store === true;
  let storedId: string | null = null;
  const remember = (id: unknown) => { if (store && typeof id === "string") storedId = id; };
  return {
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
    beforeAdmission: async () => ({ admitExtra: { previousResponseId: req.previous_response_id ?? null } }),
    settleFields: ({ usage }) => storedId
      ? { storedResponse: { id: storedId, contextTokens: usage.promptTokens + usage.completionTokens } } : {},
    build: (cand, ctx) => ({
      path: "/responses", headers: {},
      body: { ...req, model: cand.channel.upstreamModel, store, ...(ctx.outputCap !== null ? { max_output_tokens: ctx.outputCap } : {}) },
    }),
    read(json) {
      const body = json as { id?: unknown; usage?: Record<string, unknown>; output?: unknown };
      if (!body || typeof body !== "object") throw new Error("not a response");
      remember(body.id);
      return {
        reported: readResponsesUsage(body.usage),
        output: responsesOutputText(body.output),
        body(_billed, charge) {
          body.usage = { ...body.usage, cost: usdJsonNumber(charge.chargedNano) };
          return body;
        },
      };
    },
    stream: (s) => ({ translator: responsesStreamTranslator({ requestId: s.requestId, model: s.served.model.id, created: s.transform.created }), sink: responsesSink(remember) }),
  };
}
