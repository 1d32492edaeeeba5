import { Hono } from "hono";
import { decideUsage, countCompletionTokens } from "../../billing/usage";
import { estimateChatPromptTokens } from "../../billing/estimate";
import { usdJsonNumber } from "../../lib/money";
import { config } from "../../config";
import type { Env } from "../../env";
import { ApiError } from "../../errors";
import { healthHooks } from "../../gateway/channel-health";
import { buildable, dispatchAdmitted, planCandidates, type Candidate } from "../../gateway/dispatch";
import { admitRequest } from "../../gateway/meter";
import { usesOneHourCache } from "../../billing/pricing";
import { anthropicSink, passthroughSink } from "../../gateway/messages-stream";
import { noProvider, resolveModels } from "../../gateway/resolve";
import { SSE_HEADERS } from "../../gateway/sse";
import { relayStream } from "../../gateway/stream-relay";
import { newId } from "../../lib/ids";
import { validate } from "../../middleware/validate";
import { anthropicChat } from "../../providers/anthropic";
import { completionChars } from "../../providers/openai-compatible/chat";
import type { TransformContext, UpstreamRequest } from "../../providers/transform";
import { droppedParamsHeader } from "../../providers/chat-policy";
import { droppedForTranslation, messagesRequestSchema, toAnthropicMessage, toOpenAIRequest, type MessagesRequest } from "../../surfaces/anthropic";

/** Client headers that are part of Anthropic's protocol and go on to Anthropic (and nothing else does). */
const ANTHROPIC_PROTOCOL_HEADERS = ["anthropic-version", "anthropic-beta"] as const;

/** Betas that make Anthropic charge more than the catalog price (long-context pricing): never forwarded. */
const PRICED_BETAS = /context-1m/i;

function nativeRequest(req: MessagesRequest, cand: Candidate, headers: Headers, outputCap: number | null): UpstreamRequest {
  const forwarded: Record<string, string> = { "anthropic-version": "2023-06-01" };
  for (const name of ANTHROPIC_PROTOCOL_HEADERS) {
    const value = headers.get(name);
    if (!value || !/^[\w.,:-]{1,200}$/.test(value)) continue;
    const kept = name === "anthropic-beta" ? value.split(",").filter((b) => b && !PRICED_BETAS.test(b)).join(",") : value;
    if (kept) forwarded[name] = kept;
  }
  const max = outputCap === null ? req.max_tokens : Math.min(req.max_tokens, outputCap);
  // Options that switch to a dearer tier than the catalog prices are not passed on.
  const { service_tier: _tier, speed: _speed, ...body } = req as MessagesRequest & { speed?: unknown };
  return { path: "/messages", headers: forwarded, body: { ...body, model: cand.channel.upstreamModel, max_tokens: max } };
}

/**
 * POST /messages — Anthropic's Messages API for the Anthropic SDK and Claude Code. Claude models
 * go to Anthropic natively (events passed through); other models are served through the OpenAI
 * pipeline and translated back (src/surfaces/anthropic). Errors use Anthropic's shape.
 */
export const messages = new Hono<{ Bindings: Env }>().post("/messages", validate("json", messagesRequestSchema), async (c) => {
  const req = c.req.valid("json");
  const cfg = config(c.env);
  const models = await resolveModels(c.env, cfg, req.model, undefined, "chat");
  const planned = planCandidates(c.env, cfg, models);
  if (!planned.length) throw noProvider(req.model);
  const openaiReq = toOpenAIRequest(req);
  const candidates = buildable(planned, (cand) => cand.provider.kind === "anthropic"
    ? nativeRequest(req, cand, c.req.raw.headers, null)
    : cand.provider.chat.request(openaiReq, { requestId: "preflight", model: cand.model.id, upstreamModel: cand.channel.upstreamModel, created: 0, outputCap: null }));
  const stream = req.stream === true;
  const promptEstimate = estimateChatPromptTokens(openaiReq);
  const caller = c.get("caller");
  const admission = await admitRequest(c.env, c.executionCtx, cfg, {
    userId: caller.userId, keyHash: caller.keyHash, requestId: newId("msg_"), model: models[0]!,
    promptTokensEstimate: promptEstimate, requestedMaxOutput: req.max_tokens, endpoint: "messages", stream,
    oneHourCache: usesOneHourCache(req), // reserve at the 1-hour cache-write price (issue 12 item 3)
  });
  const requestId = admission.params.requestId;
  const created = Math.floor(Date.now() / 1000);
  const context = (cand: Candidate): TransformContext => ({
    requestId, model: cand.model.id, upstreamModel: cand.channel.upstreamModel, created, outputCap: admission.outputCap,
  });

  const { call, candidate } = await dispatchAdmitted(admission, candidates, {
    stream, attemptTimeoutMs: cfg.upstreamTimeoutMs, deadline: admission.startedAt + cfg.requestDeadlineMs,
    ...healthHooks(c.env, c.executionCtx),
    build: (cand) => cand.provider.kind === "anthropic"
      ? nativeRequest(req, cand, c.req.raw.headers, admission.outputCap)
      : cand.provider.chat.request(openaiReq, context(cand)),
  });
  const native = candidate.provider.kind === "anthropic";
  const ctx = context(candidate);
  const dropped = native ? [] : droppedForTranslation(req);
  const headers = { ...admission.servedHeaders, "request-id": requestId, ...droppedParamsHeader(dropped) };

  if (stream) {
    call.clearTimeout();
    if (!call.response.body) throw admission.fail(new ApiError(502, "upstream_error", "The provider sent an empty stream. Nothing was charged."));
    const body = relayStream(call.response.body, {
      admission, promptEstimate, idleTimeoutMs: cfg.upstreamTimeoutMs,
      translator: native ? anthropicChat.stream(ctx) : candidate.provider.chat.stream(ctx),
      sink: native ? passthroughSink(requestId) : anthropicSink({ requestId, model: candidate.model.id, inputTokensEstimate: promptEstimate }),
    });
    return new Response(body, { headers: { ...SSE_HEADERS, ...headers } });
  }

  let json: unknown;
  let translated;
  try {
    json = await call.response.json();
    translated = (native ? anthropicChat : candidate.provider.chat).response(json, ctx);
  } catch (err) {
    throw admission.fail(err instanceof ApiError ? err : new ApiError(502, "upstream_bad_response", "The provider sent an unreadable answer. Nothing was charged."));
  } finally {
    call.clearTimeout();
  }
  const { usage, source } = decideUsage(translated.usage, {
    promptEstimate, countedCompletion: countCompletionTokens(completionChars(translated.completion), 1),
    maxPrompt: Math.max(candidate.model.contextLength, promptEstimate), maxCompletion: admission.outputAllowance,
  });
  const cost = admission.settle({ status: "success", httpStatus: 200, errorCode: null, usage, usageSource: source });
  const message = native
    ? { ...(json as Record<string, unknown>), id: requestId }
    : toAnthropicMessage(translated.completion, usage, { requestId, model: candidate.model.id });
  const out = message as { usage?: Record<string, unknown> };
  out.usage = { ...out.usage, cost: usdJsonNumber(cost) };
  return new Response(JSON.stringify(out), { headers: { "content-type": "application/json", ...headers } });
});
