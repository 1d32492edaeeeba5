/**
 * The Anthropic Messages surface: `POST /api/v1/messages` for non-Claude models. The request is
 * validated with messagesRequestSchema, converted with toOpenAIRequest and served by the normal
 * OpenAI pipeline; the answer is converted back with toAnthropicMessage (non-streamed) or
 * anthropicEventStream + sseFrame (streamed). Pure functions only; the route lives elsewhere.
 */
export { messagesRequestSchema, type MessagesRequest } from "./schema";
export { toOpenAIRequest, droppedForTranslation, effortForBudget, MAX_STOP_SEQUENCES } from "./to-openai";
export { toAnthropicMessage } from "./from-openai";
export { anthropicEventStream, sseFrame, PING_EVENT, type AnthropicEvent, type AnthropicEventStream, type AnthropicStreamContext } from "./stream";
export { anthropicUsage, stopReason, type AnthropicMessage, type AnthropicContentBlock, type AnthropicUsage, type StopReason, type SurfaceContext } from "./shared";
