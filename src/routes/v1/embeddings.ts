import { Hono } from "hono";
import { decideUsage } from "../../billing/usage";
import { estimateEmbeddingTokens } from "../../billing/estimate";
import { usdJsonNumber } from "../../billing/money";
import { config } from "../../config";
import type { Env } from "../../env";
import { ApiError } from "../../errors";
import { admitRequest } from "../../gateway/meter";
import { resolveRoute } from "../../gateway/resolve";
import { callUpstream } from "../../gateway/upstream";
import { newId } from "../../lib/ids";
import { readOpenAIUsage } from "../../providers/openai-compatible/usage";
import { validate } from "../../middleware/validate";
import { embeddingsSchema } from "./schemas/embeddings";

/** POST /embeddings — OpenAI Embeddings, metered by input tokens. */
export const embeddings = new Hono<{ Bindings: Env }>().post("/embeddings", validate("json", embeddingsSchema), async (c) => {
  const req = c.req.valid("json");
  const cfg = config(c.env);
  const { model, provider } = await resolveRoute(c.env, cfg, req.model, "embedding");
  const caller = c.get("caller");
  const promptEstimate = estimateEmbeddingTokens(req.input);
  const admission = await admitRequest(c.env, c.executionCtx, cfg, {
    userId: caller.userId, keyHash: caller.keyHash, requestId: newId("emb-"), model, promptTokensEstimate: promptEstimate,
    requestedMaxOutput: 0, endpoint: "embeddings", stream: false,
  });

  let json: { usage?: Record<string, unknown> } & Record<string, unknown>;
  try {
    const call = await callUpstream(provider, "/embeddings", { ...req, model: model.upstreamModel }, false, cfg.upstreamTimeoutMs);
    try {
      json = await call.response.json();
    } catch {
      throw new ApiError(502, "upstream_bad_response", `The provider '${provider.name}' sent an unreadable answer. Nothing was charged.`);
    } finally {
      call.clearTimeout();
    }
  } catch (err) {
    throw admission.fail(err);
  }
  const reported = readOpenAIUsage({ completion_tokens: 0, ...json.usage }, provider.quirks);
  const { usage, source } = decideUsage(reported, {
    promptEstimate, countedCompletion: 0, maxPrompt: Math.max(model.contextLength * 2048, promptEstimate), maxCompletion: 0,
  });
  const cost = admission.settle({ status: "success", httpStatus: 200, errorCode: null, usage, usageSource: source });
  json.usage = { prompt_tokens: usage.promptTokens, total_tokens: usage.promptTokens, cost: usdJsonNumber(cost) };
  return new Response(JSON.stringify(json), { headers: { "content-type": "application/json", ...admission.headers } });
});
