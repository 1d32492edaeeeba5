import type { OpenAIChatChunk } from "../../providers/transform";
import type { TokenUsage } from "../../providers/types";
import { anthropicUsage, stopReason, toolUseId, type AnthropicContentBlock, type SurfaceContext } from "./shared";

/** One Anthropic SSE event: its `event:` name and its `data:` payload (whose `type` is the name). */
export interface AnthropicEvent {
  event: string;
  data: Record<string, unknown>;
}

export interface AnthropicStreamContext extends SurfaceContext {
  /** Prompt tokens estimated before the call, shown in message_start (final figures come later). */
  inputTokensEstimate: number;
}

export interface AnthropicEventStream {
  /** One OpenAI chunk → the Anthropic events it completes (message_start comes with the first call). */
  push(chunk: OpenAIChatChunk): AnthropicEvent[];
  /**
   * The upstream stream ended: closes the open block, then message_delta (stop_reason and the FINAL
   * usage) and message_stop. `finishReason` overrides the one seen in the chunks. With no usage,
   * input_tokens is the estimate and output_tokens ≈ characters streamed / 4.
   */
  finish(usage: TokenUsage | null, finishReason?: string | null): AnthropicEvent[];
  /** The stream failed: an `error` event (Anthropic sends it as is, without closing blocks). */
  fail(message: string, type?: string): AnthropicEvent[];
}

/** Anthropic's keep-alive event, for the integrator to send while waiting, if it wants. */
export const PING_EVENT: AnthropicEvent = { event: "ping", data: { type: "ping" } };

/** An event as SSE bytes: `event: <name>\ndata: <json>\n\n`. */
export function sseFrame(e: AnthropicEvent): string {
  return `event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`;
}

const ev = (type: string, fields: Record<string, unknown> = {}): AnthropicEvent => ({ event: type, data: { type, ...fields } });

type Kind = AnthropicContentBlock["type"];
interface ToolState { id: string | null; name: string | null; pending: string; block: number | null; closed: boolean }

/**
 * OpenAI chat.completion.chunk stream → Anthropic Messages stream events, in Anthropic's order:
 *
 *   message_start → (content_block_start, content_block_delta*, content_block_stop)* →
 *   message_delta → message_stop
 *
 * - message_start: the message with empty content, stop_reason null, usage {input_tokens:
 *   estimate, output_tokens: 0, cache figures 0}.
 * - `reasoning_content` (or `reasoning`) deltas → a thinking block ({thinking: "", signature: ""}
 *   at start, thinking_delta); no signature_delta is sent, there is no signature.
 * - `content` deltas → a text block (text_delta); `refusal` deltas are text too, and make the
 *   stop_reason "refusal".
 * - tool-call deltas → one tool_use block per OpenAI tool-call `index` ({id, name, input: {}} at
 *   start, input_json_delta with each arguments fragment as partial_json). The block opens once the
 *   call's name is known (arguments seen before are held back until then). A missing id becomes
 *   `toolu_<requestId>_<index>`.
 * - Empty fragments are skipped. A fragment of another kind than the open block closes it and
 *   opens a new one, with the next index (0, 1, 2, …). Blocks are never reopened: fragments for a
 *   tool call whose block was already closed (providers that interleave parallel calls — not
 *   seen in practice) are dropped.
 * - finish_reason and usage in chunks are only noted/ignored: everything ends in finish(), with the
 *   usage the gateway settled, so message_delta always carries final figures (input_tokens and
 *   cache figures included, which the SDK takes over those of message_start).
 * - Only choice 0 is read. After finish() or fail(), every call returns [].
 */
export function anthropicEventStream(ctx: AnthropicStreamContext): AnthropicEventStream {
  return new EventWriter(ctx);
}

type ToolCallDelta = NonNullable<OpenAIChatChunk["choices"][number]["delta"]["tool_calls"]>[number];

/** The state of one translated stream: the open block, the tool calls seen, the characters streamed. */
class EventWriter implements AnthropicEventStream {
  private started = false;
  private done = false;
  private open: { kind: Kind; index: number; tool: number | null } | null = null;
  private nextIndex = 0;
  private readonly tools = new Map<number, ToolState>();
  private seenFinish: string | null = null;
  private usedTools = false;
  private refused = false;
  private chars = 0;

  constructor(private readonly ctx: AnthropicStreamContext) {}

  push(chunk: OpenAIChatChunk): AnthropicEvent[] {
    if (this.done) return [];
    const out: AnthropicEvent[] = [];
    this.start(out);
    const choice = (chunk.choices ?? []).find((c) => (c.index ?? 0) === 0);
    if (!choice) return out;
    const delta = (choice.delta ?? {}) as OpenAIChatChunk["choices"][number]["delta"] & { reasoning?: unknown; refusal?: unknown };
    this.textLike(out, "thinking", delta.reasoning_content ?? delta.reasoning);
    this.textLike(out, "text", delta.content);
    if (typeof delta.refusal === "string" && delta.refusal !== "") {
      this.refused = true;
      this.textLike(out, "text", delta.refusal);
    }
    for (const tc of Array.isArray(delta.tool_calls) ? delta.tool_calls : []) this.toolDelta(out, tc);
    if (choice.finish_reason) this.seenFinish = choice.finish_reason;
    return out;
  }

  finish(usage: TokenUsage | null, finishReason?: string | null): AnthropicEvent[] {
    if (this.done) return [];
    this.done = true;
    const out: AnthropicEvent[] = [];
    this.start(out);
    // A call whose name never came still gets its block, so its arguments are not lost.
    for (const [index, t] of [...this.tools.entries()].sort((a, b) => a[0] - b[0])) {
      if (t.block === null && (t.id || t.pending)) this.openTool(out, index, t);
    }
    this.close(out);
    const u = usage
      ? anthropicUsage(usage)
      : { input_tokens: this.inputEstimate(), output_tokens: Math.ceil(this.chars / 4), cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
    const stop = stopReason(finishReason ?? this.seenFinish, this.usedTools, this.refused);
    out.push(ev("message_delta", { delta: { stop_reason: stop, stop_sequence: null }, usage: u }));
    out.push(ev("message_stop"));
    return out;
  }

  fail(message: string, type = "api_error"): AnthropicEvent[] {
    if (this.done) return [];
    this.done = true;
    return [{ event: "error", data: { type: "error", error: { type, message } } }];
  }

  private inputEstimate(): number {
    return Math.max(0, Math.round(this.ctx.inputTokensEstimate));
  }

  private start(out: AnthropicEvent[]): void {
    if (this.started) return;
    this.started = true;
    out.push(ev("message_start", {
      message: {
        id: this.ctx.requestId, type: "message", role: "assistant", model: this.ctx.model, content: [], stop_reason: null, stop_sequence: null,
        usage: { input_tokens: this.inputEstimate(), output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      },
    }));
  }

  private close(out: AnthropicEvent[]): void {
    if (!this.open) return;
    out.push(ev("content_block_stop", { index: this.open.index }));
    if (this.open.tool !== null) this.tools.get(this.open.tool)!.closed = true;
    this.open = null;
  }

  private openBlock(out: AnthropicEvent[], block: AnthropicContentBlock, tool: number | null = null): number {
    this.close(out);
    const index = this.nextIndex++;
    out.push(ev("content_block_start", { index, content_block: block }));
    this.open = { kind: block.type, index, tool };
    return index;
  }

  private textLike(out: AnthropicEvent[], kind: "thinking" | "text", text: unknown): void {
    if (typeof text !== "string" || text === "") return;
    if (this.open?.kind !== kind) this.openBlock(out, kind === "text" ? { type: "text", text: "" } : { type: "thinking", thinking: "", signature: "" });
    const delta = kind === "text" ? { type: "text_delta", text } : { type: "thinking_delta", thinking: text };
    out.push(ev("content_block_delta", { index: this.open!.index, delta }));
    this.chars += text.length;
  }

  private jsonDelta(out: AnthropicEvent[], index: number, partial: string): void {
    if (partial === "") return;
    out.push(ev("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: partial } }));
    this.chars += partial.length;
  }

  /** Opens the tool's block (name known, or forced at the end) and sends the held-back arguments. */
  private openTool(out: AnthropicEvent[], index: number, t: ToolState): void {
    t.block = this.openBlock(out, { type: "tool_use", id: toolUseId(t.id, this.ctx.requestId, index), name: t.name ?? "", input: {} }, index);
    this.usedTools = true;
    this.chars += (t.name ?? "").length;
    this.jsonDelta(out, t.block, t.pending);
    t.pending = "";
  }

  private toolDelta(out: AnthropicEvent[], tc: ToolCallDelta): void {
    const index = typeof tc.index === "number" ? tc.index : 0;
    let t = this.tools.get(index);
    if (!t) this.tools.set(index, (t = { id: null, name: null, pending: "", block: null, closed: false }));
    if (t.closed) return;
    if (!t.id && tc.id) t.id = tc.id;
    if (t.name === null && tc.function?.name) t.name = tc.function.name;
    const args = typeof tc.function?.arguments === "string" ? tc.function.arguments : "";
    if (t.block === null) {
      t.pending += args;
      if (t.name !== null) this.openTool(out, index, t);
    } else {
      this.jsonDelta(out, t.block, args);
    }
  }
}
