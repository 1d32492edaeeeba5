import { measureChatPrompt } from "../../billing/estimate";
import { usdJsonNumber } from "../../lib/money";
import { requestedMaxOutput } from "../../providers/openai-compatible/chat";
import type { ChatCompletionRequest } from "../../wire/chat";
import { autoHeaders } from "../../routing/auto";
import { openAISink } from "../chat-stream";
import { buildable, noCandidate, planCandidates } from "../dispatch";
import { completionText } from "../pipeline/output-text";
import { refusePricedOptions } from "../pipeline/priced-options";
import type { EndpointAdapter } from "../pipeline/types";
import { resolveChatModels } from "../resolve";

/** POST /chat/completions: OpenAI Chat Completions to any provider, through its ChatTransform. */
export function chatAdapter(req: ChatCompletionRequest): EndpointAdapter {
  return {
    endpoint: "chat.completions",
    idPrefix: "gen-",
    async plan(env, cfg) {
      refusePricedOptions(req);
      const { models, auto } = await resolveChatModels(env, cfg, req);
      const planned = planCandidates(env, cfg, models, req.provider);
      if (!planned.length) throw noCandidate(env, cfg, models, req.provider);
      const candidates = buildable(planned, (cand) => cand.provider.chat.request(req, {
        requestId: "preflight", model: cand.model.id, upstreamModel: cand.channel.upstreamModel, created: 0, outputCap: null,
      }));
      return {
        models, candidates, prompt: measureChatPrompt(req), requestedMaxOutput: requestedMaxOutput(req), stream: req.stream === true,
        headers: auto ? autoHeaders(auto) : {}, routeReason: auto?.reason ?? null,
      };
    },
    build: (cand, ctx) => cand.provider.chat.request(req, ctx),
    read(json, s) {
      const { completion, usage } = s.candidate.provider.chat.response(json, s.transform);
      return {
        reported: usage,
        output: completionText(completion),
        body(billed, charge) {
          const { usage: u, source } = billed;
          completion.id = s.requestId;
          const cost = usdJsonNumber(charge.chargedNano);
          completion.usage = source === "upstream" && completion.usage
            ? { ...completion.usage, cost }
            : { prompt_tokens: u.promptTokens, completion_tokens: u.completionTokens, total_tokens: u.promptTokens + u.completionTokens, cost, estimated: source === "estimated" };
          return completion;
        },
      };
    },
    stream: (s) => ({
      translator: s.candidate.provider.chat.stream(s.transform),
      sink: openAISink(s.requestId, req.stream_options?.include_usage === true, s.served.model.id),
    }),
  };
}
