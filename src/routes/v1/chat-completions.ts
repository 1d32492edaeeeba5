import { Hono } from "hono";
import { countCompletionTokens, decideUsage } from "../../billing/usage";
import { estimateChatPromptTokens } from "../../billing/estimate";
import { usdJsonNumber } from "../../lib/money";
import { config } from "../../config";
import type { Env } from "../../env";
import { ApiError } from "../../errors";
import { meterChatStream } from "../../gateway/chat-stream";
import { healthHooks } from "../../gateway/channel-health";
import { buildable, dispatchAdmitted, noCandidate, planCandidates, type Candidate } from "../../gateway/dispatch";
import { admitRequest } from "../../gateway/meter";
import { resolveChatModels, worstCasePricing } from "../../gateway/resolve";
import { autoHeaders } from "../../routing/auto";
import { SSE_HEADERS } from "../../gateway/sse";
import { newId } from "../../lib/ids";
import { droppedParamsHeader } from "../../providers/chat-policy";
import { completionChars, requestedMaxOutput } from "../../providers/openai-compatible/chat";
import type { TransformContext } from "../../providers/transform";
import { validate } from "../../middleware/validate";
import { chatCompletionSchema } from "./schemas/chat";

/**
 * POST /chat/completions — OpenAI Chat Completions, streamed and not, metered per request.
 * The request goes to the first candidate (model × channel) that answers; see gateway/dispatch.ts.
 */
export const chatCompletions = new Hono<{ Bindings: Env }>().post("/chat/completions", validate("json", chatCompletionSchema), async (c) => {
  const req = c.req.valid("json");
  const cfg = config(c.env);
  const { models, auto } = await resolveChatModels(c.env, cfg, req);
  const planned = planCandidates(c.env, cfg, models, req.provider);
  if (!planned.length) throw noCandidate(c.env, cfg, models, req.provider);
  const candidates = buildable(planned, (cand) => cand.provider.chat.request(req, {
    requestId: "preflight", model: cand.model.id, upstreamModel: cand.channel.upstreamModel, created: 0, outputCap: null,
  }));
  const caller = c.get("caller");
  const stream = req.stream === true;
  const promptEstimate = estimateChatPromptTokens(req);
  const admission = await admitRequest(c.env, c.executionCtx, cfg, {
    userId: caller.userId, keyHash: caller.keyHash, requestId: newId("gen-"), model: models[0]!, models, pricing: worstCasePricing(models),
    promptTokensEstimate: promptEstimate, requestedMaxOutput: requestedMaxOutput(req), endpoint: "chat.completions", stream,
    routeReason: auto?.reason ?? null,
  });
  const created = Math.floor(Date.now() / 1000);
  const context = (cand: Candidate): TransformContext => ({
    requestId: admission.params.requestId, model: cand.model.id, upstreamModel: cand.channel.upstreamModel, created,
    outputCap: admission.outputCap === null ? null : Math.min(admission.outputCap, cand.model.maxOutputTokens ?? admission.outputCap),
  });

  let dropped: string[] | undefined;
  const { call, candidate } = await dispatchAdmitted(admission, candidates, {
    stream, attemptTimeoutMs: cfg.upstreamTimeoutMs, deadline: admission.startedAt + cfg.requestDeadlineMs,
    ...healthHooks(c.env, c.executionCtx),
    build: (cand) => {
      const built = cand.provider.chat.request(req, context(cand));
      dropped = built.dropped;
      return built;
    },
  });
  const headers = { ...admission.servedHeaders, ...(auto ? autoHeaders(auto) : {}), ...droppedParamsHeader(dropped) };
  const ctx = context(candidate);

  if (stream) {
    call.clearTimeout();
    if (!call.response.body) throw admission.fail(new ApiError(502, "upstream_error", `The provider '${candidate.provider.name}' sent an empty stream. Nothing was charged.`));
    const body = meterChatStream(call.response.body, {
      admission, translator: candidate.provider.chat.stream(ctx), clientWantsUsage: req.stream_options?.include_usage === true,
      promptEstimate, idleTimeoutMs: cfg.upstreamTimeoutMs,
    });
    return new Response(body, { headers: { ...SSE_HEADERS, ...headers } });
  }

  let translated;
  try {
    translated = candidate.provider.chat.response(await call.response.json(), ctx);
  } catch (err) {
    throw admission.fail(err instanceof ApiError ? err
      : new ApiError(502, "upstream_bad_response", `The provider '${candidate.provider.name}' sent an unreadable answer. Nothing was charged.`));
  } finally {
    call.clearTimeout();
  }
  const { completion } = translated;
  const { usage, source } = decideUsage(translated.usage, {
    promptEstimate,
    countedCompletion: countCompletionTokens(completionChars(completion), 1),
    maxPrompt: Math.max(candidate.model.contextLength, promptEstimate),
    maxCompletion: admission.outputAllowance,
  });
  const cost = admission.settle({ status: "success", httpStatus: 200, errorCode: null, usage, usageSource: source });
  completion.id = admission.params.requestId;
  completion.usage = source === "upstream" && completion.usage
    ? { ...completion.usage, cost: usdJsonNumber(cost) }
    : {
      prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens,
      total_tokens: usage.promptTokens + usage.completionTokens, cost: usdJsonNumber(cost), estimated: source === "estimated",
    };
  return new Response(JSON.stringify(completion), { headers: { "content-type": "application/json", ...headers } });
});
