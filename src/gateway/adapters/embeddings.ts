import { measureEmbeddingInput } from "../../billing/estimate";
import { usdJsonNumber } from "../../lib/money";
import { embeddingsRequest, embeddingsResponse } from "../../providers/embeddings";
import type { EmbeddingsRequest } from "../../wire/embeddings";
import { buildable, planCandidates } from "../dispatch";
import type { EndpointAdapter } from "../pipeline/types";
import { noProvider, resolveModels } from "../resolve";

/** POST /embeddings: metered by input tokens; no output. */
export function embeddingsAdapter(req: EmbeddingsRequest): EndpointAdapter {
  return {
    endpoint: "embeddings",
    idPrefix: "emb-",
    async plan(env, cfg) {
      const models = await resolveModels(env, cfg, req.model, undefined, "embedding");
      const planned = planCandidates(env, cfg, models);
      if (!planned.length) throw noProvider(req.model);
      const candidates = buildable(planned, (cand) => embeddingsRequest(cand.provider.kind, req, cand.channel.upstreamModel));
      return { models, candidates, prompt: measureEmbeddingInput(req.input), requestedMaxOutput: 0, stream: false };
    },
    build: (cand) => embeddingsRequest(cand.provider.kind, req, cand.channel.upstreamModel),
    read(json, s) {
      const result = embeddingsResponse(s.candidate.provider.kind, json, s.served.model.id);
      return {
        reported: result.promptTokens === null ? null
          : { promptTokens: result.promptTokens, completionTokens: 0, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
        output: "",
        body({ usage, source }, charge) {
          result.body.usage = {
            prompt_tokens: usage.promptTokens, total_tokens: usage.promptTokens, cost: usdJsonNumber(charge.chargedNano),
            ...(source === "estimated" ? { estimated: true } : {}),
          };
          return result.body;
        },
      };
    },
  };
}
