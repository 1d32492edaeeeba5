import type { ChatTransform } from "../transform";
import { buildGeminiRequest } from "./request";
import { translateGeminiResponse } from "./response";
import { createGeminiStream } from "./stream";

/**
 * OpenAI Chat Completions ⇄ Gemini API `generateContent` / `streamGenerateContent?alt=sse`
 * (base URL https://generativelanguage.googleapis.com/v1beta; the gateway adds `x-goog-api-key`).
 * Mapping rules are documented in request.ts, messages.ts, media.ts, schema.ts (requests) and
 * response.ts, stream.ts, calls.ts, usage.ts (responses); errors.ts reads Gemini error bodies.
 */
export const geminiChat: ChatTransform = {
  request: buildGeminiRequest,
  response: translateGeminiResponse,
  stream: createGeminiStream,
};

export { errorMessage, retryDelaySeconds } from "./errors";
export { readGeminiUsage } from "./usage";
