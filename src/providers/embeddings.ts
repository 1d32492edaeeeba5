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
 * so the gateway's estimate is charged (usage_source "estimated"). Cohere takes `POST /embed` (below).
 * Anthropic has no embeddings.
 */
export function embeddingsRequest(kind: ProviderKind, req: EmbeddingsRequest, upstreamModel: string): UpstreamRequest {
  if (kind === "openai") return { path: "/embeddings", headers: {}, body: { ...req, model: upstreamModel } };
  if (kind === "google") {
    const inputs = textInputs(req);
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
  if (kind === "cohere") return cohereEmbedRequest(req, upstreamModel);
  throw new ApiError(400, "unsupported_model", "This provider has no embeddings endpoint.", { param: "model", type: "invalid_request_error" });
}

/** Text inputs of a translated request: token arrays and base64 output are refused (400). */
function textInputs(req: EmbeddingsRequest): string[] {
  const inputs = typeof req.input === "string" ? [req.input] : req.input;
  if (!inputs.every((i): i is string => typeof i === "string")) {
    throw new ApiError(400, "unsupported_parameter", "This model takes text input only, not token arrays.", { param: "input", type: "invalid_request_error" });
  }
  if (req.encoding_format === "base64") {
    throw new ApiError(400, "unsupported_parameter", "This model returns float embeddings only; omit encoding_format or use \"float\".", { param: "encoding_format", type: "invalid_request_error" });
  }
  return inputs;
}

const COHERE_INPUT_TYPES = ["search_document", "search_query", "classification", "clustering"];

/**
 * Cohere v2 `POST /embed`: `{model, texts, input_type, embedding_types: ["float"]}`. Cohere requires
 * `input_type` for its v3+ models; callers may send it as an extra field (one of
 * COHERE_INPUT_TYPES), else "search_document" (what an OpenAI-style caller storing vectors means).
 * dimensions → output_dimension. Usage: `meta.billed_units.input_tokens`.
 */
function cohereEmbedRequest(req: EmbeddingsRequest, upstreamModel: string): UpstreamRequest {
  const texts = textInputs(req);
  const inputType = req.input_type ?? "search_document";
  if (typeof inputType !== "string" || !COHERE_INPUT_TYPES.includes(inputType)) {
    throw new ApiError(400, "invalid_value", `input_type must be one of ${COHERE_INPUT_TYPES.join(", ")}.`, { param: "input_type", type: "invalid_request_error" });
  }
  const body: Record<string, unknown> = { model: upstreamModel, texts, input_type: inputType, embedding_types: ["float"] };
  if (req.dimensions) body.output_dimension = req.dimensions;
  return { path: "/embed", headers: {}, body, dropped: droppedEmbeddingFields(req).filter((k) => k !== "input_type") };
}

function cohereEmbedResponse(json: unknown, model: string): EmbeddingsResult {
  const j = json as { embeddings?: { float?: number[][] }; meta?: { billed_units?: { input_tokens?: unknown } } };
  const vectors = j.embeddings?.float;
  if (!Array.isArray(vectors)) throw new Error("not a Cohere embed response");
  const billed = j.meta?.billed_units?.input_tokens;
  return {
    body: { object: "list", data: vectors.map((embedding, index) => ({ object: "embedding", index, embedding })), model },
    promptTokens: Number.isSafeInteger(billed) && (billed as number) >= 0 ? (billed as number) : null,
  };
}

export function embeddingsResponse(kind: ProviderKind, json: unknown, model: string): EmbeddingsResult {
  if (kind === "cohere") return cohereEmbedResponse(json, model);
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
