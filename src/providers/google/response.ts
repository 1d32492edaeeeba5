import type { OpenAIChatCompletion, TransformContext } from "../transform";
import type { TokenUsage } from "../types";
import { CallAssembler, type AssembledCall } from "./calls";
import { readGeminiUsage, toOpenAIUsage } from "./usage";
import { firstCandidate, isObject, mapFinishReason, promptBlockReason } from "./wire";

/**
 * A non-streamed GenerateContentResponse → OpenAI chat.completion.
 *
 * - `candidates[0]` only (the gateway never asks for more than one).
 * - text parts → `content` (concatenated; null when there is no text part, e.g. tool calls only);
 *   parts with `thought: true` → `reasoning_content` (omitted when there are none).
 * - `functionCall` parts → `tool_calls` (see calls.ts): ids `call_<requestId>_<n>`, stable for a
 *   given response; missing `args` → "{}". `thoughtSignature` is ignored.
 * - finish_reason: see mapFinishReason; a prompt blocked by `promptFeedback.blockReason` (no
 *   candidates) → "content_filter" with null content.
 * - Other part kinds (inlineData, executableCode, codeExecutionResult) are not produced for the
 *   requests this gateway sends and are ignored.
 * - `usage` in OpenAI shape, from usageMetadata (see usage.ts); the id is ctx.requestId.
 */

export const toolCallId = (ctx: TransformContext, index: number) => `call_${ctx.requestId}_${index}`;

export function toOpenAIToolCall(c: AssembledCall) {
  return { id: c.id, type: "function" as const, function: { name: c.name, arguments: c.arguments } };
}

export function translateGeminiResponse(body: unknown, ctx: TransformContext): { completion: OpenAIChatCompletion; usage: TokenUsage | null } {
  const cand = firstCandidate(body);
  const texts: string[] = [];
  const thoughts: string[] = [];
  const assembler = new CallAssembler((i) => toolCallId(ctx, i));
  const calls: AssembledCall[] = [];
  for (const part of cand?.parts ?? []) {
    if (part.functionCall !== undefined) {
      for (const e of assembler.push(part.functionCall)) if (e.kind === "done") calls.push(e.call);
    } else if (typeof part.text === "string") {
      (part.thought === true ? thoughts : texts).push(part.text);
    }
  }
  for (const e of assembler.flush()) if (e.kind === "done") calls.push(e.call);

  const blocked = !cand && promptBlockReason(body) !== null;
  const usage = readGeminiUsage(isObject(body) ? body.usageMetadata : undefined);
  const message: OpenAIChatCompletion["choices"][number]["message"] = {
    role: "assistant",
    content: texts.length > 0 ? texts.join("") : null,
  };
  if (thoughts.length > 0) message.reasoning_content = thoughts.join("");
  if (calls.length > 0) message.tool_calls = calls.map(toOpenAIToolCall);

  const completion: OpenAIChatCompletion = {
    id: ctx.requestId,
    object: "chat.completion",
    created: ctx.created,
    model: ctx.model,
    choices: [{
      index: 0,
      message,
      finish_reason: blocked ? "content_filter" : mapFinishReason(cand?.finishReason ?? null, calls.length > 0),
      logprobs: null,
    }],
  };
  if (usage) completion.usage = toOpenAIUsage(usage);
  return { completion, usage };
}
