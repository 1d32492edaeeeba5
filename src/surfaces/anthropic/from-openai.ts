import type { OpenAIChatCompletion } from "../../providers/transform";
import type { TokenUsage } from "../../providers/types";
import { anthropicUsage, stopReason, toolInput, toolUseId, type AnthropicContentBlock, type AnthropicMessage, type SurfaceContext } from "./shared";

/**
 * An OpenAI chat.completion → an Anthropic Message (non-streamed `POST /v1/messages` answer).
 *
 * - id = ctx.requestId, model = ctx.model (what the caller asked for), role assistant.
 * - content, in this order:
 *   1. `reasoning_content` (or `reasoning`, as some providers name it), when not empty →
 *      `{type: "thinking", thinking, signature: ""}`. The signature is empty: there is none to give,
 *      and Anthropic would reject the block if it were sent back to a Claude model.
 *   2. `content`, when not empty → `{type: "text", text}`; when there is none, a `refusal` string
 *      becomes the text (and stop_reason "refusal").
 *   3. each tool call → `{type: "tool_use", id, name, input}` with input = JSON.parse(arguments)
 *      ("" / "{}" → {}; unparseable or non-object arguments → {}, see shared.ts toolInput); a
 *      missing id becomes `toolu_<requestId>_<i>`.
 * - stop_reason: see shared.ts stopReason; stop_sequence: always null.
 * - usage: from the gateway's TokenUsage (shared.ts anthropicUsage), not from the completion's.
 * Only the first choice is used (the Messages API has one).
 */
export function toAnthropicMessage(completion: OpenAIChatCompletion, usage: TokenUsage, ctx: SurfaceContext): AnthropicMessage {
  const choice = completion.choices[0];
  const message = (choice?.message ?? {}) as Partial<OpenAIChatCompletion["choices"][number]["message"]> & { reasoning?: unknown };
  const content: AnthropicContentBlock[] = [];

  const reasoning = typeof message.reasoning_content === "string" ? message.reasoning_content : typeof message.reasoning === "string" ? message.reasoning : "";
  if (reasoning !== "") content.push({ type: "thinking", thinking: reasoning, signature: "" });

  let refused = false;
  if (typeof message.content === "string" && message.content !== "") {
    content.push({ type: "text", text: message.content });
  } else if (typeof message.refusal === "string" && message.refusal !== "") {
    content.push({ type: "text", text: message.refusal });
    refused = true;
  }

  const calls = Array.isArray(message.tool_calls) ? message.tool_calls : [];
  calls.forEach((call, i) => {
    content.push({
      type: "tool_use",
      id: toolUseId(call.id, ctx.requestId, i),
      name: call.function?.name ?? "",
      input: toolInput(call.function?.arguments),
    });
  });

  return {
    id: ctx.requestId,
    type: "message",
    role: "assistant",
    model: ctx.model,
    content,
    stop_reason: stopReason(choice?.finish_reason, calls.length > 0, refused),
    stop_sequence: null,
    usage: anthropicUsage(usage),
  };
}
