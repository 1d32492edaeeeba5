import type { OpenAIChatChunk, StreamTranslator, TransformContext } from "../transform";
import type { TokenUsage } from "../types";
import { CallAssembler, type CallEvent } from "./calls";
import { toolCallId } from "./response";
import { readGeminiUsage, toOpenAIUsage } from "./usage";
import { firstCandidate, isObject, mapFinishReason, promptBlockReason } from "./wire";

/**
 * Gemini `streamGenerateContent?alt=sse` → OpenAI chat.completion.chunk stream. Each SSE event's
 * data is one GenerateContentResponse (the `event:` name is unused).
 *
 * - The first chunk produced carries `role: "assistant"`.
 * - Non-empty text parts → `content` deltas; `thought: true` parts → `reasoning_content` deltas;
 *   empty text parts (e.g. the final part that only holds a thoughtSignature) produce nothing.
 * - functionCall parts → `tool_calls` deltas (assembly in calls.ts). A whole call is one delta
 *   `{index, id, type, function: {name, arguments}}`; a call streamed with partialArgs first gets
 *   `{index, id, type, function: {name, arguments: ""}}` when it opens and then one delta with its
 *   complete arguments when it closes. Ids `call_<requestId>_<n>`, as in non-streamed responses.
 * - usageMetadata is cumulative: each usable one replaces the last. Chunks whose usageMetadata has
 *   no token counts (Vertex sends only `trafficType` until the end) leave it unchanged.
 * - The event with `finishReason` (or a prompt blocked via promptFeedback) closes any open call and
 *   yields the finish chunk (`tool_calls` if any call was produced); finished() is true from then.
 *   Content after that is ignored, but usage updates are still taken.
 * - end() closes a call left open and, when usage is known, returns a last chunk with `choices: []`
 *   and the OpenAI `usage`, as OpenAI sends it with stream_options.include_usage.
 */
export function createGeminiStream(ctx: TransformContext): StreamTranslator {
  const assembler = new CallAssembler((i) => toolCallId(ctx, i));
  let usage: TokenUsage | null = null;
  let roleSent = false;
  let finishSent = false;
  let usageSent = false;

  const chunk = (delta: OpenAIChatChunk["choices"][number]["delta"], finish: OpenAIChatChunk["choices"][number]["finish_reason"] = null): OpenAIChatChunk => {
    const d = roleSent ? delta : { role: "assistant" as const, ...delta };
    roleSent = true;
    return { id: ctx.requestId, object: "chat.completion.chunk", created: ctx.created, model: ctx.model, choices: [{ index: 0, delta: d, finish_reason: finish }] };
  };

  const callChunks = (events: CallEvent[]): OpenAIChatChunk[] => events.map((e) => {
    if (e.kind === "open") {
      return chunk({ tool_calls: [{ index: e.index, id: e.id, type: "function", function: { name: e.name, arguments: "" } }] });
    }
    const c = e.call;
    return chunk({
      tool_calls: [e.announced
        ? { index: c.index, function: { arguments: c.arguments } }
        : { index: c.index, id: c.id, type: "function", function: { name: c.name, arguments: c.arguments } }],
    });
  });

  return {
    push({ data }) {
      if (!isObject(data)) return [];
      const u = readGeminiUsage(data.usageMetadata);
      if (u) usage = u;
      if (finishSent) return [];
      const out: OpenAIChatChunk[] = [];
      const cand = firstCandidate(data);
      for (const part of cand?.parts ?? []) {
        if (part.functionCall !== undefined) out.push(...callChunks(assembler.push(part.functionCall)));
        else if (typeof part.text === "string" && part.text !== "") {
          out.push(chunk(part.thought === true ? { reasoning_content: part.text } : { content: part.text }));
        }
      }
      const blocked = !cand && promptBlockReason(data) !== null;
      if (cand?.finishReason || blocked) {
        out.push(...callChunks(assembler.flush()));
        out.push(chunk({}, blocked ? "content_filter" : mapFinishReason(cand?.finishReason ?? null, assembler.count > 0)));
        finishSent = true;
      }
      return out;
    },
    end() {
      const out = finishSent ? [] : callChunks(assembler.flush());
      if (usage && !usageSent) {
        usageSent = true;
        out.push({ id: ctx.requestId, object: "chat.completion.chunk", created: ctx.created, model: ctx.model, choices: [], usage: toOpenAIUsage(usage) });
      }
      return out;
    },
    usage: () => usage,
    finished: () => finishSent,
  };
}
