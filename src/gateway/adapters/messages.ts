import { measureChatPrompt } from "../../billing/estimate";
import { usesOneHourCache } from "../../billing/pricing";
import { usdJsonNumber } from "../../lib/money";
import { anthropicChat } from "../../providers/anthropic";
import type { TransformContext, UpstreamRequest } from "../../providers/transform";
import { droppedForTranslation, toAnthropicMessage, toOpenAIRequest, type MessagesRequest } from "../../surfaces/anthropic";
import { buildable, planCandidates, type Candidate } from "../dispatch";
import { anthropicSink, passthroughSink } from "../messages-stream";
import { completionText } from "../pipeline/output-text";
import { refusePricedOptions } from "../pipeline/priced-options";
import type { EndpointAdapter } from "../pipeline/types";
import { noProvider, resolveModels } from "../resolve";

/** Betas that make Anthropic charge more than the catalog price (long-context pricing): never forwarded. */
const PRICED_BETAS = /context-1m/i;

/** Client headers that are part of Anthropic's protocol (anthropic-version, anthropic-beta) go on to Anthropic; nothing else does. */
function nativeRequest(req: MessagesRequest, cand: Candidate, headers: Headers, outputCap: number | null): UpstreamRequest {
  const forwarded: Record<string, string> = { "anthropic-version": "2023-06-01" };
  const version = headers.get("anthropic-version");
  if (version && /^[\w.:-]{1,64}$/.test(version)) forwarded["anthropic-version"] = version;
  // Claude Code sends a dozen betas (well over 200 characters): each is checked on its own.
  const betas = (headers.get("anthropic-beta") ?? "").split(",").map((b) => b.trim())
    .filter((b) => /^[\w.:-]{1,100}$/.test(b) && !PRICED_BETAS.test(b)).slice(0, 64);
  if (betas.length) forwarded["anthropic-beta"] = betas.join(",");
  const max = outputCap === null ? req.max_tokens : Math.min(req.max_tokens, outputCap);
  // Standard tiers only reach here (priced-options.ts); Anthropic's default is the standard one.
  const { service_tier: _tier, speed: _speed, ...body } = req as MessagesRequest & { speed?: unknown };
  return { path: "/messages", headers: forwarded, body: { ...body, model: cand.channel.upstreamModel, max_tokens: max } };
}

/**
 * POST /messages: Anthropic's Messages API. Claude models go to Anthropic natively (events passed
 * through); other models are served through their ChatTransform and translated back.
 */
export function messagesAdapter(req: MessagesRequest, clientHeaders: Headers): EndpointAdapter {
  const openaiReq = toOpenAIRequest(req);
  const native = (cand: Candidate) => cand.provider.kind === "anthropic";
  const build = (cand: Candidate, ctx: TransformContext): UpstreamRequest => {
    if (native(cand)) return nativeRequest(req, cand, clientHeaders, ctx.outputCap);
    const built = cand.provider.chat.request(openaiReq, ctx);
    return { ...built, dropped: [...droppedForTranslation(req), ...(built.dropped ?? [])] };
  };
  return {
    endpoint: "messages",
    idPrefix: "msg_",
    async plan(env, cfg) {
      refusePricedOptions(req as MessagesRequest & { speed?: unknown });
      const models = await resolveModels(env, cfg, req.model, undefined, "chat");
      const planned = planCandidates(env, cfg, models);
      if (!planned.length) throw noProvider(req.model);
      const candidates = buildable(planned, (cand) => build(cand, {
        requestId: "preflight", model: cand.model.id, upstreamModel: cand.channel.upstreamModel, created: 0, outputCap: null,
      }));
      return { models, candidates, prompt: measureChatPrompt(openaiReq), requestedMaxOutput: req.max_tokens, stream: req.stream === true,
        oneHourCache: usesOneHourCache(req) };
    },
    build,
    headers: (requestId) => ({ "request-id": requestId }),
    read(json, s) {
      const translated = (native(s.candidate) ? anthropicChat : s.candidate.provider.chat).response(json, s.transform);
      return {
        reported: translated.usage,
        output: completionText(translated.completion),
        body({ usage }, charge) {
          const message = native(s.candidate)
            ? { ...(json as Record<string, unknown>), id: s.requestId }
            : toAnthropicMessage(translated.completion, usage, { requestId: s.requestId, model: s.served.model.id });
          const out = message as { usage?: Record<string, unknown> };
          out.usage = { ...out.usage, cost: usdJsonNumber(charge.chargedNano) };
          return out;
        },
      };
    },
    stream: (s) => ({
      translator: native(s.candidate) ? anthropicChat.stream(s.transform) : s.candidate.provider.chat.stream(s.transform),
      sink: native(s.candidate)
        ? passthroughSink(s.requestId)
        : anthropicSink({ requestId: s.requestId, model: s.served.model.id, inputTokensEstimate: s.promptEstimate }),
    }),
  };
}
