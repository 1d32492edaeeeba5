import type { OpenAIChatCompletion } from "../transform";

/**
 * The slice of the Gemini `generateContent` wire format this folder reads, plus small helpers for
 * reading untrusted JSON. Response bodies arrive as `unknown`; every reader here checks types
 * instead of trusting the shape, so a surprising field is skipped rather than crashing the gateway.
 */

export type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** A non-negative safe integer (token counts). */
export const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

export type OpenAIFinishReason = NonNullable<OpenAIChatCompletion["choices"][number]["finish_reason"]>;

/** One part of a candidate's content, as far as the translation needs it. */
export interface GeminiPart {
  text?: string;
  /** true: the text is a thought summary (needs `thinkingConfig.includeThoughts`). */
  thought?: boolean;
  functionCall?: unknown;
  /** Opaque, for replaying the model's reasoning; ignored in responses (see request.ts for requests). */
  thoughtSignature?: string;
}

/** The first candidate of a GenerateContentResponse (the gateway only ever asks for one). */
export interface FirstCandidate {
  parts: GeminiPart[];
  finishReason: string | null;
}

/**
 * Reads `candidates[0]` of a GenerateContentResponse. Candidates may lack `index` (Vertex) and
 * `content` (e.g. a SAFETY stop with no output); parts that are not objects are dropped.
 */
export function firstCandidate(body: unknown): FirstCandidate | null {
  if (!isObject(body) || !Array.isArray(body.candidates)) return null;
  const cand = body.candidates.find((c) => isObject(c) && (c.index === undefined || c.index === 0)) ?? body.candidates[0];
  if (!isObject(cand)) return null;
  const parts = isObject(cand.content) && Array.isArray(cand.content.parts) ? cand.content.parts.filter(isObject) : [];
  return { parts: parts as GeminiPart[], finishReason: typeof cand.finishReason === "string" ? cand.finishReason : null };
}

/** `promptFeedback.blockReason`: the prompt itself was blocked and there are no candidates. */
export function promptBlockReason(body: unknown): string | null {
  if (!isObject(body) || !isObject(body.promptFeedback)) return null;
  const r = body.promptFeedback.blockReason;
  return typeof r === "string" && r !== "BLOCK_REASON_UNSPECIFIED" ? r : null;
}

const FILTERED = new Set(["SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION"]);

/**
 * Gemini finishReason → OpenAI finish_reason.
 * - STOP → "stop", but "tool_calls" when the response produced any functionCall (Gemini says STOP
 *   for tool calls too).
 * - MAX_TOKENS → "length".
 * - SAFETY, RECITATION, BLOCKLIST, PROHIBITED_CONTENT, SPII (and the IMAGE_* variants) → "content_filter".
 * - Anything else (MALFORMED_FUNCTION_CALL, LANGUAGE, OTHER, UNEXPECTED_TOOL_CALL, …) → "stop", or
 *   "tool_calls" if calls were produced: OpenAI has no finish reason for upstream failures.
 */
export function mapFinishReason(reason: string | null, hadToolCalls: boolean): OpenAIFinishReason {
  if (reason === "MAX_TOKENS") return "length";
  if (reason !== null && FILTERED.has(reason)) return "content_filter";
  return hadToolCalls ? "tool_calls" : "stop";
}
