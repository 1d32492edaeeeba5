import { Hono } from "hono";
import { decideUsage } from "../../billing/usage";
import { estimateEmbeddingTokens } from "../../billing/estimate";
import { usdJsonNumber } from "../../lib/money";
import { config } from "../../config";
import type { Env } from "../../env";
import { ApiError } from "../../errors";
import { healthHooks } from "../../gateway/channel-health";
import { buildable, dispatchAdmitted, planCandidates } from "../../gateway/dispatch";
import { admitRequest } from "../../gateway/meter";
import { noProvider, resolveModels } from "../../gateway/resolve";
import { newId } from "../../lib/ids";
import { embeddingsRequest, embeddingsResponse, type EmbeddingsResult } from "../../providers/embeddings";
import { validate } from "../../middleware/validate";
import { droppedParamsHeader } from "../../providers/chat-policy";
import { embeddingsSchema } from "./schemas/embeddings";

/** POST /embeddings — OpenAI Embeddings, metered by input tokens. */
export const embeddings = new Hono<{ Bindings: Env }>().post("/embeddings", validate("json", embeddingsSchema), async (c) => {
  const req = c.req.valid("json");
  const cfg = config(c.env);
  const models = await resolveModels(c.env, cfg, req.model, undefined, "embedding");
  const planned = planCandidates(c.env, cfg, models);
  if (!planned.length) throw noProvider(req.model);
  const candidates = buildable(planned, (cand) => embeddingsRequest(cand.provider.kind, req, cand.channel.upstreamModel));
  const model = models[0]!;
  const caller = c.get("caller");
  const promptEstimate = estimateEmbeddingTokens(req.input);
  const admission = await admitRequest(c.env, c.executionCtx, cfg, {
    userId: caller.userId, keyHash: caller.keyHash, requestId: newId("emb-"), model, promptTokensEstimate: promptEstimate,
    requestedMaxOutput: 0, endpoint: "embeddings", stream: false,
  });

  const served = await dispatchAdmitted(admission, candidates, {
    stream: false, attemptTimeoutMs: cfg.upstreamTimeoutMs, deadline: admission.startedAt + cfg.requestDeadlineMs,
    ...healthHooks(c.env, c.executionCtx),
    build: (cand) => embeddingsRequest(cand.provider.kind, req, cand.channel.upstreamModel),
  });
  let result: EmbeddingsResult;
  try {
    result = embeddingsResponse(served.candidate.provider.kind, await served.call.response.json(), model.id);
  } catch {
    throw admission.fail(new ApiError(502, "upstream_bad_response", `The provider '${served.candidate.provider.name}' sent an unreadable answer. Nothing was charged.`));
  } finally {
    served.call.clearTimeout();
  }
  const reported = result.promptTokens === null ? null
    : { promptTokens: result.promptTokens, completionTokens: 0, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
  const { usage, source } = decideUsage(reported, {
    promptEstimate, countedCompletion: 0, maxPrompt: Math.max(model.contextLength * 2048, promptEstimate), maxCompletion: 0,
  });
  const cost = admission.settle({ status: "success", httpStatus: 200, errorCode: null, usage, usageSource: source });
  result.body.usage = { prompt_tokens: usage.promptTokens, total_tokens: usage.promptTokens, cost: usdJsonNumber(cost), ...(source === "estimated" ? { estimated: true } : {}) };
  return new Response(JSON.stringify(result.body), { headers: { "content-type": "application/json", ...admission.headers, ...droppedParamsHeader(embeddingsRequest(served.candidate.provider.kind, req, served.candidate.channel.upstreamModel).dropped) } });
});
