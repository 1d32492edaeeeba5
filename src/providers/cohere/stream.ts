import type { OpenAIChatChunk, StreamTranslator, TransformContext } from "../transform";
import type { TokenUsage } from "../types";
import { finishReason, isObject, readCohereUsage } from "./usage";

type Delta = OpenAIChatChunk["choices"][number]["delta"];

/**
 * Cohere v2 chat stream (`event: <type>` SSE; the type is also in the data) → OpenAI chunks:
 * - message-start → the role chunk;
 * - content-delta text → content; thinking → reasoning_content; tool-plan-delta → content (the
 *   plan is text the model produced and is billed as output);
 * - tool-call-start → a tool_calls chunk with id, name and "" arguments at Cohere's `index`
 *   renumbered from 0; tool-call-delta → arguments pieces;
 * - message-end → finish_reason and usage (billed_units); it marks the response complete;
 * - content-start/-end, tool-call-end, citation-* and unknown events carry nothing to relay.
 * An `error` event (or a message-end with finish_reason ERROR) is reported through error().
 */
export function createCohereStream(ctx: TransformContext): StreamTranslator {
  let usage: TokenUsage | null = null;
  let done = false;
  let failure: { message: string; type: string } | null = null;
  const toolIndex = new Map<number, number>();
  const chunk = (delta: Delta, finish: OpenAIChatChunk["choices"][number]["finish_reason"] = null): OpenAIChatChunk => ({
    id: ctx.requestId, object: "chat.completion.chunk", created: ctx.created, model: ctx.model, choices: [{ index: 0, delta, finish_reason: finish }],
  });
  const msg = (data: Record<string, unknown>): Record<string, unknown> => {
    const d = isObject(data.delta) ? data.delta : {};
    return isObject(d.message) ? d.message : {};
  };
  const indexOf = (data: Record<string, unknown>): number => {
    const raw = typeof data.index === "number" ? data.index : 0;
    if (!toolIndex.has(raw)) toolIndex.set(raw, toolIndex.size);
    return toolIndex.get(raw)!;
  };

  function push(event: { event: string | null; data: unknown }): OpenAIChatChunk[] {
    if (!isObject(event.data)) return [];
    const data = event.data;
    const type = typeof data.type === "string" ? data.type : event.event;
    switch (type) {
      case "message-start":
        return [chunk({ role: "assistant", content: "" })];
      case "content-delta": {
        const c = msg(data).content;
        if (!isObject(c)) return [];
        if (typeof c.text === "string" && c.text !== "") return [chunk({ content: c.text })];
        if (typeof c.thinking === "string" && c.thinking !== "") return [chunk({ reasoning_content: c.thinking })];
        return [];
      }
      case "tool-plan-delta": {
        const plan = msg(data).tool_plan;
        return typeof plan === "string" && plan !== "" ? [chunk({ content: plan })] : [];
      }
      case "tool-call-start": {
        const call = msg(data).tool_calls;
        if (!isObject(call) || !isObject(call.function) || typeof call.function.name !== "string") return [];
        const id = typeof call.id === "string" ? call.id : `call_${ctx.requestId}_${toolIndex.size}`;
        const args = typeof call.function.arguments === "string" ? call.function.arguments : "";
        return [chunk({ tool_calls: [{ index: indexOf(data), id, type: "function", function: { name: call.function.name, arguments: args } }] })];
      }
      case "tool-call-delta": {
        const call = msg(data).tool_calls;
        const args = isObject(call) && isObject(call.function) ? call.function.arguments : undefined;
        return typeof args === "string" && args !== "" ? [chunk({ tool_calls: [{ index: indexOf(data), function: { arguments: args } }] })] : [];
      }
      case "message-end": {
        const d = isObject(data.delta) ? data.delta : {};
        usage = readCohereUsage(d.usage) ?? usage;
        if (d.finish_reason === "ERROR") {
          failure = { message: typeof d.error === "string" ? d.error : "Cohere ended the response with an error.", type: "api_error" };
          return [];
        }
        done = true;
        return [chunk({}, toolIndex.size > 0 ? "tool_calls" : finishReason(d.finish_reason))];
      }
      case "error":
        failure = { message: typeof data.message === "string" ? data.message : "Cohere reported an error in the stream.", type: "api_error" };
        return [];
      default:
        return [];
    }
  }

  return {
    push,
    end: () => [],
    usage: () => usage,
    finished: () => done,
    error: () => failure,
  };
}
