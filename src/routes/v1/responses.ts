import { Hono } from "hono";
import { decideUsage } from "../../billing/usage";
import { usdJsonNumber } from "../../lib/money";
import { config } from "../../config";
import type { Env } from "../../env";
import { ApiError } from "../../errors";
import { healthHooks } from "../../gateway/channel-health";
import { dispatchAdmitted, planCandidates } from "../../gateway/dispatch";
import { admitRequest, type Admission } from "../../gateway/meter";
import { noProvider, resolveModels } from "../../gateway/resolve";
import { SSE_HEADERS } from "../../gateway/sse";
import { relayStream, type StreamSink } from "../../gateway/stream-relay";
import { newId } from "../../lib/ids";
import { validate } from "../../middleware/validate";
import { readResponsesUsage, responsesStreamTranslator } from "../../providers/openai-compatible/responses";
import { responsesSchema, type ResponsesRequest } from "./schemas/responses";

const encoder = new TextEncoder();

/** Prompt estimate for the reservation: one token per 3 UTF-8 bytes of input, instructions and tools. */
function estimate(req: ResponsesRequest): number {
  const text = JSON.stringify([req.input ?? "", req.instructions ?? "", req.tools ?? []]);
  return Math.ceil(encoder.encode(text).length / 3) + 8;
}

/** The provider's events as they came; response.completed gets `cost` in its usage. */
function responsesSink(admission: Admission, store: boolean): StreamSink {
  return {
    event(event, _chunks, r) {
      if (!event.event && !event.data) return "";
      // The provider's own failure events may hold account details; the relay sends a clean error instead.
      if (event.event === "error" || event.event === "response.failed") return "";
      let data = event.data;
      if (event.event === "response.completed" || event.event === "response.incomplete") {
        const billed = r.usage();
        const parsed = JSON.parse(data) as { response?: { id?: unknown; usage?: Record<string, unknown> } };
        // A stored response: the wallet records its context tokens at settlement (chained requests reserve for it).
        if (store && typeof parsed.response?.id === "string") admission.storedResponseId = parsed.response.id;
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

/** POST /responses — OpenAI's Responses API, passed through to OpenAI-format providers and metered. */
export const responses = new Hono<{ Bindings: Env }>().post("/responses", validate("json", responsesSchema), async (c) => {
  const req = c.req.valid("json");
  const cfg = config(c.env);
  const models = await resolveModels(c.env, cfg, req.model, undefined, "chat");
  const candidates = planCandidates(c.env, cfg, models).filter((cand) => cand.provider.kind === "openai");
  if (!candidates.length) {
    if (!planCandidates(c.env, cfg, models).length) throw noProvider(req.model);
    throw new ApiError(400, "unsupported_model", `The model '${req.model}' is not served through the Responses API here; use /chat/completions.`, { param: "model", type: "invalid_request_error" });
  }
  const stream = req.stream === true;
  const store = req.store === true;
  const caller = c.get("caller");
  const admission = await admitRequest(c.env, c.executionCtx, cfg, {
    userId: caller.userId, keyHash: caller.keyHash, requestId: newId("gen-"), model: models[0]!,
    promptTokensEstimate: estimate(req), requestedMaxOutput: req.max_output_tokens ?? null, endpoint: "responses", stream,
    previousResponseId: req.previous_response_id ?? null,
  });
  // The stored conversation is part of the prompt the provider bills (counted by the wallet at admission).
  const promptEstimate = estimate(req) + admission.chainTokens;
  const { call, candidate } = await dispatchAdmitted(admission, candidates, {
    stream, attemptTimeoutMs: cfg.upstreamTimeoutMs, deadline: admission.startedAt + cfg.requestDeadlineMs,
    ...healthHooks(c.env, c.executionCtx),
    build: (cand) => ({
      path: "/responses", headers: {},
      // store: false unless the caller asked for storing (docs/privacy-operations.md).
      body: { ...req, model: cand.channel.upstreamModel, store, ...(admission.outputCap !== null ? { max_output_tokens: admission.outputCap } : {}) },
    }),
  });
  const headers = admission.servedHeaders;
  const ctx = { requestId: admission.params.requestId, model: candidate.model.id, created: Math.floor(Date.now() / 1000) };

  if (stream) {
    call.clearTimeout();
    if (!call.response.body) throw admission.fail(new ApiError(502, "upstream_error", "The provider sent an empty stream. Nothing was charged."));
    const body = relayStream(call.response.body, {
      admission, promptEstimate, idleTimeoutMs: cfg.upstreamTimeoutMs, translator: responsesStreamTranslator(ctx), sink: responsesSink(admission, store),
    });
    return new Response(body, { headers: { ...SSE_HEADERS, ...headers } });
  }

  let json: { id?: unknown; usage?: Record<string, unknown>; output?: unknown };
  try {
    json = await call.response.json();
  } catch {
    throw admission.fail(new ApiError(502, "upstream_bad_response", "The provider sent an unreadable answer. Nothing was charged."));
  } finally {
    call.clearTimeout();
  }
  const { usage, source } = decideUsage(readResponsesUsage(json.usage), {
    promptEstimate, countedCompletion: Math.max(1, Math.ceil(JSON.stringify(json.output ?? "").length / 4)),
    maxPrompt: Math.max(candidate.model.contextLength, promptEstimate), maxCompletion: admission.outputAllowance,
  });
  if (store && typeof json.id === "string") admission.storedResponseId = json.id;
  const cost = admission.settle({ status: "success", httpStatus: 200, errorCode: null, usage, usageSource: source });
  json.usage = { ...json.usage, cost: usdJsonNumber(cost) };
  return new Response(JSON.stringify(json), { headers: { "content-type": "application/json", ...headers } });
});
