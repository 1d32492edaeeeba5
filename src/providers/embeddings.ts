import { ApiError } from "../errors";
import { droppedEmbeddingFields, type EmbeddingsRequest } from "../wire/embeddings";
import type { UpstreamRequest } from "./transform";
import type { ProviderKind } from "./types";

/** An OpenAI embeddings list and the prompt tokens the provider reported (null: not reported). */
export interface EmbeddingsResult {
  body: { object: "list"; data: Array<{ object: "embedding"; index: number; embedding: number[] | string }>; model: string; usage?: unknown } & Record<string, unknown>;
  promptTokens: number | null;
}

/**
 * Embeddings requests per wire format. OpenAI-compatible providers take the request as it is.
 * Gemini takes `batchEmbedContents` with one request per input string and reports no usage,
 * so the gateway's estimate is charged (usage_source "estimated"). Anthropic has no embeddings.
 */
export function embeddingsRequest(kind: ProviderKind, req: EmbeddingsRequest, upstreamModel: string): UpstreamRequest {
  if (kind === "openai") return { path: "/embeddings", headers: {}, body: { ...req, model: upstreamModel } };
  if (kind === "google") {
    const inputs = typeof req.input === "string" ? [req.input] : req.input;
    if (!inputs.every((i): i is string => typeof i === "string")) {
      throw new ApiError(400, "unsupported_parameter", "This model takes text input only, not token arrays.", { param: "input", type: "invalid_request_error" });
    }
    if (req.encoding_format === "base64") {
      throw new ApiError(400, "unsupported_parameter", "This model returns float embeddings only; omit encoding_format or use \"float\".", { param: "encoding_format", type: "invalid_request_error" });
    }
    return {
      path: `/models/${upstreamModel}:batchEmbedContents`,
      headers: {},
      body: {
        requests: inputs.map((text) => ({
          model: `models/${upstreamModel}`,
          content: { parts: [{ text }] },
          ...(req.dimensions ? { outputDimensionality: req.dimensions } : {}),
        })),
      },
      dropped: droppedEmbeddingFields(req),
    };
  }
  throw new ApiError(400, "unsupported_model", "This provider has no embeddings endpoint.", { param: "model", type: "invalid_request_error" });
}

export function embeddingsResponse(kind: ProviderKind, json: unknown, model: string): EmbeddingsResult {
  if (kind === "google") {
    const embeddings = (json as { embeddings?: Array<{ values?: number[] }> }).embeddings;
    if (!Array.isArray(embeddings)) throw new Error("not an embeddings response");
    return {
      body: { object: "list", data: embeddings.map((e, index) => ({ object: "embedding", index, embedding: e.values ?? [] })), model },
      promptTokens: null,
    };
  }
  const body = json as EmbeddingsResult["body"];
  if (!body || !Array.isArray(body.data)) throw new Error("not an embeddings response");
  const prompt = (body.usage as { prompt_tokens?: unknown } | undefined)?.prompt_tokens;
  return { body, promptTokens: Number.isSafeInteger(prompt) && (prompt as number) >= 0 ? (prompt as number) : null };
}
