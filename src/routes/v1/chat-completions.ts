import { Hono } from "hono";
import { countCompletionTokens, decideUsage } from "../../billing/usage";
import { estimateChatPromptTokens } from "../../billing/estimate";
import { usdJsonNumber } from "../../billing/money";
import { config } from "../../config";
import type { Env } from "../../env";
import { ApiError } from "../../errors";
import { meterChatStream } from "../../gateway/chat-stream";
import { admitRequest } from "../../gateway/meter";
import { resolveRoute } from "../../gateway/resolve";
import { SSE_HEADERS } from "../../gateway/sse";
import { callUpstream } from "../../gateway/upstream";
import { newId } from "../../lib/ids";
import { completionChars, requestedMaxOutput, toUpstreamChat } from "../../providers/openai-compatible/chat";
import { readOpenAIUsage } from "../../providers/openai-compatible/usage";
import { validate } from "../../middleware/validate";
import { chatCompletionSchema } from "./schemas/chat";

/** POST /chat/completions — OpenAI Chat Completions, streamed and not, metered per request. */
export const chatCompletions = new Hono<{ Bindings: Env }>().post("/chat/completions", validate("json", chatCompletionSchema), async (c) => {
  const req = c.req.valid("json");
  const cfg = config(c.env);
  const { model, provider } = await resolveRoute(c.env, cfg, req.model, "chat");
  const caller = c.get("caller");
  const stream = req.stream === true;
  const promptEstimate = estimateChatPromptTokens(req);
  const admission = await admitRequest(c.env, c.executionCtx, cfg, {
    userId: caller.userId, keyHash: caller.keyHash, requestId: newId("gen-"), model, promptTokensEstimate: promptEstimate,
    requestedMaxOutput: requestedMaxOutput(req), endpoint: "chat.completions", stream,
  });

  let call;
  try {
    call = await callUpstream(provider, "/chat/completions", toUpstreamChat(req, model, provider, admission.outputCap), stream, cfg.upstreamTimeoutMs);
  } catch (err) {
    throw admission.fail(err);
  }

  if (stream) {
    call.clearTimeout();
    if (!call.response.body) {
      throw admission.fail(new ApiError(502, "upstream_error", `The provider '${provider.name}' sent an empty stream. Nothing was charged.`));
    }
    const body = meterChatStream(call.response.body, {
      admission, clientWantsUsage: req.stream_options?.include_usage === true, promptEstimate,
      idleTimeoutMs: cfg.upstreamTimeoutMs,
    });
    return new Response(body, { headers: { ...SSE_HEADERS, ...admission.headers } });
  }

  let json: Record<string, unknown> & { usage?: Record<string, unknown> | null; choices?: Array<{ message?: Record<string, unknown> }> };
  try {
    json = await call.response.json();
  } catch {
    throw admission.fail(new ApiError(502, "upstream_bad_response", `The provider '${provider.name}' sent an unreadable answer. Nothing was charged.`));
  } finally {
    call.clearTimeout();
  }
  const { usage, source } = decideUsage(readOpenAIUsage(json.usage, provider.quirks), {
    promptEstimate,
    countedCompletion: countCompletionTokens(completionChars(json), 1),
    maxPrompt: Math.max(model.contextLength, promptEstimate),
    maxCompletion: admission.outputAllowance,
  });
  const cost = admission.settle({ status: "success", httpStatus: 200, errorCode: null, usage, usageSource: source });
  json.id = admission.params.requestId;
  json.usage = source === "upstream" && json.usage
    ? { ...json.usage, cost: usdJsonNumber(cost) }
    : {
      prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens,
      total_tokens: usage.promptTokens + usage.completionTokens, cost: usdJsonNumber(cost), estimated: source === "estimated",
    };
  return new Response(JSON.stringify(json), { headers: { "content-type": "application/json", ...admission.headers } });
});
