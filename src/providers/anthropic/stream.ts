import type { OpenAIChatChunk, StreamTranslator, TransformContext } from "../transform";
import type { TokenUsage } from "../types";
import { errorMessage } from "./errors";
import { JSON_RESPONSE_TOOL, argumentsText, finishReason, isRecord } from "./shared";
import { mergeUsage, readAnthropicUsage, toOpenAIUsage } from "./usage";

type Delta = OpenAIChatChunk["choices"][number]["delta"];

/** What a content block index is translated into. */
type Block =
  | { kind: "text" | "thinking" | "skip" }
  | { kind: "tool"; toolIndex: number; sent: boolean; input: unknown }
  | { kind: "json"; sent: boolean; input: unknown };

export interface AnthropicStreamTranslator extends StreamTranslator {
  /** The stream's `error` event ({type, message}), or null. After one, no more chunks are produced and finished() stays false. */
  error(): { message: string; type: string } | null;
}

/**
 * The content blocks of one message, by index → OpenAI deltas: text → `content`, thinking →
 * `reasoning_content`, a tool_use block → `tool_calls` with its own OpenAI index, the injected JSON
 * tool → `content`; anything else is skipped. `chunk` wraps a delta into a chunk.
 */
class ContentBlocks {
  readonly #blocks = new Map<number, Block>();
  readonly #chunk: (delta: Delta) => OpenAIChatChunk;
  /** Tool calls started so far (the next one's OpenAI index). */
  toolCount = 0;

  constructor(chunk: (delta: Delta) => OpenAIChatChunk) {
    this.#chunk = chunk;
  }

  start(index: number, cb: Record<string, unknown>): OpenAIChatChunk[] {
    if (cb.type === "text") {
      this.#blocks.set(index, { kind: "text" });
      return typeof cb.text === "string" && cb.text !== "" ? [this.#chunk({ content: cb.text })] : [];
    }
    if (cb.type === "thinking") {
      this.#blocks.set(index, { kind: "thinking" });
      return typeof cb.thinking === "string" && cb.thinking !== "" ? [this.#chunk({ reasoning_content: cb.thinking })] : [];
    }
    if (cb.type === "tool_use" && typeof cb.name === "string") {
      if (cb.name === JSON_RESPONSE_TOOL) {
        this.#blocks.set(index, { kind: "json", sent: false, input: cb.input });
        return [];
      }
      const toolIndex = this.toolCount++;
      this.#blocks.set(index, { kind: "tool", toolIndex, sent: false, input: cb.input });
      return [this.#chunk({ tool_calls: [{ index: toolIndex, id: String(cb.id ?? ""), type: "function", function: { name: cb.name, arguments: "" } }] })];
    }
    this.#blocks.set(index, { kind: "skip" });
    return [];
  }

  delta(index: number, d: Record<string, unknown>): OpenAIChatChunk[] {
    const block = this.#blocks.get(index);
    if (block?.kind === "skip") return [];
    if (d.type === "text_delta" && typeof d.text === "string" && d.text !== "") return [this.#chunk({ content: d.text })];
    if (d.type === "thinking_delta" && typeof d.thinking === "string" && d.thinking !== "") return [this.#chunk({ reasoning_content: d.thinking })];
    if (d.type === "input_json_delta" && typeof d.partial_json === "string" && d.partial_json !== "") {
      if (block?.kind === "tool") {
        block.sent = true;
        return [this.#chunk({ tool_calls: [{ index: block.toolIndex, function: { arguments: d.partial_json } }] })];
      }
      if (block?.kind === "json") {
        block.sent = true;
        return [this.#chunk({ content: d.partial_json })];
      }
    }
    return [];
  }

  /** A tool (or JSON tool) block that streamed no argument fragment sends its start input ("{}" when none) now. */
  stop(index: number): OpenAIChatChunk[] {
    const block = this.#blocks.get(index);
    this.#blocks.delete(index);
    if (!block || (block.kind !== "tool" && block.kind !== "json") || block.sent) return [];
    const args = argumentsText(block.input);
    return [block.kind === "tool" ? this.#chunk({ tool_calls: [{ index: block.toolIndex, function: { arguments: args } }] }) : this.#chunk({ content: args })];
  }
}

/**
 * Anthropic SSE events → OpenAI chat.completion.chunk objects (id ctx.requestId, model
 * ctx.model, created ctx.created), one event at a time.
 * - message_start → a role chunk (`delta: {role: "assistant", content: ""}`); its usage is
 *   provisional.
 * - content_block_start/delta/stop: text_delta → `content`; thinking_delta → `reasoning_content`;
 *   signature_delta and citations_delta are ignored; a tool_use block → `tool_calls` with its own
 *   OpenAI `index` (0, 1, … in order of the tool calls), id + name + `arguments: ""` on its first
 *   chunk, then each non-empty input_json_delta fragment as an `arguments` piece. If no
 *   non-empty fragment came, "{}" (or the block's start `input` as JSON) is sent at
 *   content_block_stop, so a call without arguments ends up "{}".
 *   The injected JSON tool (response_format) streams its fragments as `content` instead.
 *   Server tools (server_tool_use, *_tool_result, mcp_*), redacted_thinking and unknown blocks
 *   are skipped.
 * - message_delta → the finish chunk (`delta: {}`, finish_reason from stop_reason); its usage is
 *   cumulative and final and replaces the message_start figures field by field.
 * - message_stop → finished() becomes true and a usage chunk (`choices: []`, OpenAI `usage`, as
 *   OpenAI sends with stream_options.include_usage) is emitted; the caller strips it when the
 *   client did not ask for usage and bills from usage().
 * - ping is ignored. `error` → no chunks; error() exposes it and finished() stays false, so the
 *   caller ends the stream as failed. Events after message_stop or an error are ignored.
 */
export function createStreamTranslator(ctx: TransformContext): AnthropicStreamTranslator {
  let rawUsage: Record<string, unknown> | null = null;
  let roleSent = false;
  let finishSent = false;
  let done = false;
  let failure: { message: string; type: string } | null = null;

  const chunk = (delta: Delta, finish: OpenAIChatChunk["choices"][number]["finish_reason"] = null): OpenAIChatChunk => {
    if (!roleSent) {
      roleSent = true;
      delta = { role: "assistant", ...delta };
    }
    return { id: ctx.requestId, object: "chat.completion.chunk", created: ctx.created, model: ctx.model, choices: [{ index: 0, delta, finish_reason: finish }] };
  };
  const usage = (): TokenUsage | null => readAnthropicUsage(rawUsage);
  const blocks = new ContentBlocks((delta) => chunk(delta));

  const handle = (type: unknown, data: Record<string, unknown>): OpenAIChatChunk[] => {
    switch (type) {
      case "message_start": {
        const message = isRecord(data.message) ? data.message : {};
        rawUsage = mergeUsage(rawUsage, message.usage);
        return roleSent ? [] : [chunk({ content: "" })];
      }
      case "content_block_start":
        return typeof data.index === "number" && isRecord(data.content_block) ? blocks.start(data.index, data.content_block) : [];
      case "content_block_delta":
        return typeof data.index === "number" && isRecord(data.delta) ? blocks.delta(data.index, data.delta) : [];
      case "content_block_stop":
        return typeof data.index === "number" ? blocks.stop(data.index) : [];
      case "message_delta": {
        rawUsage = mergeUsage(rawUsage, data.usage);
        const reason = finishReason(isRecord(data.delta) ? data.delta.stop_reason : null, blocks.toolCount > 0);
        if (reason === null || finishSent) return [];
        finishSent = true;
        return [chunk({}, reason)];
      }
      case "message_stop": {
        done = true;
        const out = finishSent ? [] : [chunk({}, "stop")];
        finishSent = true;
        const u = usage();
        if (u) out.push({ id: ctx.requestId, object: "chat.completion.chunk", created: ctx.created, model: ctx.model, choices: [], usage: toOpenAIUsage(u) });
        return out;
      }
      case "error":
        failure = errorMessage(data) ?? { message: "The provider reported an error mid-stream.", type: "api_error" };
        return [];
      default:
        return []; // ping and unknown events
    }
  };

  return {
    push(event) {
      if (done || failure || !isRecord(event.data)) return [];
      return handle(event.data.type ?? event.event, event.data);
    },
    end: () => [],
    usage,
    finished: () => done,
    error: () => failure,
  };
}
