import type { ChatTransform } from "../transform";
import { buildCohereRequest } from "./request";
import { translateCohereResponse } from "./response";
import { createCohereStream } from "./stream";

/**
 * OpenAI Chat Completions ⇄ Cohere v2 `POST /chat` (streamed with `stream: true`), base URL
 * https://api.cohere.com/v2 with `Authorization: Bearer`. Request mapping: request.ts; responses:
 * response.ts and stream.ts; usage (billed_units): usage.ts; errors: errors.ts; embeddings
 * (`POST /embed` with the `input_type` it requires): src/providers/embeddings.ts.
 */
export const cohereChat: ChatTransform = {
  request: buildCohereRequest,
  response: translateCohereResponse,
  stream: createCohereStream,
};

export { cohereErrorMessage } from "./errors";
