import type { ChatTransform } from "../transform";
import { buildRequest } from "./request";
import { translateResponse } from "./response";
import { createStreamTranslator } from "./stream";

/**
 * OpenAI Chat Completions ⇄ Anthropic Messages API (POST /messages relative to
 * https://api.anthropic.com/v1, anthropic-version 2023-06-01; the gateway adds x-api-key).
 * request: request.ts; response: response.ts; stream: stream.ts (its translator also has error()).
 */
export const anthropicChat = {
  request: buildRequest,
  response: translateResponse,
  stream: createStreamTranslator,
} satisfies ChatTransform;

export { errorMessage } from "./errors";
export { readAnthropicUsage, toOpenAIUsage } from "./usage";
export { ANTHROPIC_VERSION, JSON_RESPONSE_TOOL } from "./shared";
export type { AnthropicStreamTranslator } from "./stream";
