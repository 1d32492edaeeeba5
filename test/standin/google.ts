// Gemini routes: POST /google/v1beta/models/{model}:generateContent | :streamGenerateContent.
import { handle, type Adapter } from "./handler.js";
import { sendJson, sendReply, type Ctx, type Reply, type Usage } from "./http.js";
import { INTERNAL_DETAIL, parseScenario, type ErrorStatus } from "./scenarios.js";

function googleError(status: number, rpcStatus: string, message: string, extra: Record<string, unknown> = {}, headers?: Record<string, string>): Reply {
  return { status, headers, body: { error: { code: status, message, status: rpcStatus, ...extra } } };
}

function usageMetadata(u: Usage) {
  return { promptTokenCount: u.prompt, candidatesTokenCount: u.completion, totalTokenCount: u.total ?? u.prompt + u.completion };
}

function modelOf(ctx: Ctx): string {
  return ctx.model || "gemini-3-pro-preview";
}

const idOf = (ctx: Ctx): string => (ctx.model === "echo" || ctx.model === "mirror" ? "standin-echo" : "standin");

function candidate(text: string, finished: boolean) {
  return {
    content: { parts: [{ text }], role: "model" },
    ...(finished ? { finishReason: "STOP" } : {}),
    index: 0,
  };
}

export const googleAdapter: Adapter = {
  api: "gemini",
  defaultFixture: "google/google-text",

  error(status: ErrorStatus, ctx: Ctx, message?: string): Reply {
    switch (status) {
      case 400:
        return googleError(400, "INVALID_ARGUMENT", 'Invalid JSON payload received. Unknown name "foo": Cannot find field.');
      case 401:
        // Gemini really answers 400 API_KEY_INVALID without the key; 401 + echoed key tests redaction.
        return googleError(401, "UNAUTHENTICATED", `API key not valid: ${ctx.apiKey}. Please pass a valid API key.`);
      case 404:
        return googleError(404, "NOT_FOUND", message ?? `models/${ctx.model} is not found for API version v1beta.`);
      case 429:
        return googleError(
          429,
          "RESOURCE_EXHAUSTED",
          "You exceeded your current quota, please check your plan.",
          { details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "7s" }] },
          { "retry-after": "7" },
        );
      case 500:
        return googleError(500, "INTERNAL", `An internal error has occurred. (${INTERNAL_DETAIL})`);
      case 503:
        return googleError(503, "UNAVAILABLE", `The model is overloaded. Please try again later. (${INTERNAL_DETAIL})`);
    }
  },

  message(ctx, text, usage) {
    return {
      candidates: [candidate(text, true)],
      usageMetadata: usageMetadata(usage),
      modelVersion: modelOf(ctx),
      responseId: idOf(ctx),
    };
  },

  events(ctx, pieces, usage) {
    const deltas = pieces.map((text, i) => {
      const last = i === pieces.length - 1;
      return {
        candidates: [candidate(text, last)],
        // Gemini sends cumulative usage in every chunk.
        usageMetadata: last ? usageMetadata(usage) : { promptTokenCount: usage.prompt, totalTokenCount: usage.prompt },
        modelVersion: modelOf(ctx),
        responseId: idOf(ctx),
      };
    });
    return { head: [], deltas, tail: [] };
  },
};

export function handleGenerate(ctx: Ctx): Promise<void> {
  return handle(googleAdapter, ctx);
}

/**
 * Gemini `batchEmbedContents` (no recorded fixture exists): one 4-number vector per request,
 * derived from its text length, and no usage (Gemini reports none). Errors and hang as usual.
 */
export async function handleBatchEmbed(ctx: Ctx): Promise<void> {
  const sc = parseScenario(ctx.model);
  if (sc.kind === "hang") return;
  if (sc.kind === "error") return sendReply(ctx, googleAdapter.error(sc.status, ctx));
  const requests = (ctx.body as { requests?: Array<{ content?: { parts?: Array<{ text?: string }> } }> }).requests ?? [];
  const embeddings = requests.map((r) => {
    const n = (r.content?.parts ?? []).map((p) => p.text ?? "").join("").length;
    return { values: [n / 100, 0.25, -0.5, 1] };
  });
  return sendJson(ctx.res, 200, { embeddings });
}
