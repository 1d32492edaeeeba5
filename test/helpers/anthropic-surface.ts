/** Test helpers (imported only by *.test.ts): fixture replay and an Anthropic event-sequence validator. */
import { z } from "zod";
import type { OpenAIChatChunk } from "../../src/providers/transform";
import type { ProviderQuirks, TokenUsage } from "../../src/providers/types";
import { readOpenAIUsage } from "../../src/providers/openai-compatible/usage";
import { anthropicEventStream, type AnthropicEvent } from "../../src/surfaces/anthropic/stream";

export const ctx = { requestId: "gen-test-123", model: "deepseek/deepseek-reasoner" };
export const streamCtx = { ...ctx, inputTokensEstimate: 50 };

export const OPENAI_QUIRKS: ProviderQuirks = { maxTokensField: "max_completion_tokens", reasoningExcludedFromCompletion: false };
export const XAI_QUIRKS: ProviderQuirks = { maxTokensField: "max_tokens", reasoningExcludedFromCompletion: true };

export const usage = (p: number, c: number, cached = 0, write = 0, reasoning = 0): TokenUsage =>
  ({ promptTokens: p, completionTokens: c, cachedTokens: cached, cacheWriteTokens: write, reasoningTokens: reasoning });

/** The chunks of a `.chunks.txt` fixture: non-empty lines, each parsed as JSON. */
export function chunks(raw: string): OpenAIChatChunk[] {
  return raw.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as OpenAIChatChunk);
}

/** The usage the gateway would settle for a fixture stream: the last usage chunk, read as the meter does. */
export function streamUsage(list: OpenAIChatChunk[], quirks = OPENAI_QUIRKS): TokenUsage | null {
  const last = [...list].reverse().find((c) => c.usage);
  return readOpenAIUsage(last?.usage ?? null, quirks);
}

/** Feeds every chunk, then finish(usage), as the route would. */
export function replay(list: OpenAIChatChunk[], u: TokenUsage | null, c = streamCtx): AnthropicEvent[] {
  const s = anthropicEventStream(c);
  const events = list.flatMap((chunk) => s.push(chunk));
  return [...events, ...s.finish(u)];
}

/** What the source chunks hold, for comparison: text, reasoning, tool calls by index. */
export function sourceOf(list: OpenAIChatChunk[]) {
  let text = "";
  let reasoning = "";
  const tools: Array<{ id?: string; name?: string; arguments: string }> = [];
  for (const c of list) {
    for (const ch of c.choices ?? []) {
      text += ch.delta?.content ?? "";
      reasoning += ch.delta?.reasoning_content ?? "";
      for (const t of ch.delta?.tool_calls ?? []) {
        const slot = (tools[t.index] ??= { arguments: "" });
        if (t.id) slot.id = t.id;
        if (t.function.name) slot.name = t.function.name;
        slot.arguments += t.function.arguments ?? "";
      }
    }
  }
  return { text, reasoning, tools };
}

const usageShape = z.strictObject({
  input_tokens: z.number().int().min(0),
  output_tokens: z.number().int().min(0),
  cache_creation_input_tokens: z.number().int().min(0),
  cache_read_input_tokens: z.number().int().min(0),
});
const block = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("text"), text: z.literal("") }),
  z.strictObject({ type: z.literal("thinking"), thinking: z.literal(""), signature: z.literal("") }),
  z.strictObject({ type: z.literal("tool_use"), id: z.string().min(1), name: z.string().min(1), input: z.strictObject({}) }),
]);
const delta = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("text_delta"), text: z.string().min(1) }),
  z.strictObject({ type: z.literal("thinking_delta"), thinking: z.string().min(1) }),
  z.strictObject({ type: z.literal("input_json_delta"), partial_json: z.string().min(1) }),
]);
const eventShape = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("message_start"),
    message: z.strictObject({
      id: z.literal(ctx.requestId), type: z.literal("message"), role: z.literal("assistant"), model: z.string().min(1),
      content: z.tuple([]), stop_reason: z.null(), stop_sequence: z.null(), usage: usageShape,
    }),
  }),
  z.strictObject({ type: z.literal("content_block_start"), index: z.number().int().min(0), content_block: block }),
  z.strictObject({ type: z.literal("content_block_delta"), index: z.number().int().min(0), delta }),
  z.strictObject({ type: z.literal("content_block_stop"), index: z.number().int().min(0) }),
  z.strictObject({
    type: z.literal("message_delta"),
    delta: z.strictObject({ stop_reason: z.enum(["end_turn", "max_tokens", "stop_sequence", "tool_use", "refusal"]), stop_sequence: z.null() }),
    usage: usageShape,
  }),
  z.strictObject({ type: z.literal("message_stop") }),
]);
const deltaFor: Record<string, string> = { text: "text_delta", thinking: "thinking_delta", tool_use: "input_json_delta" };

/**
 * Throws unless the events are exactly Anthropic's sequence: message_start first; blocks opened
 * with indexes 0, 1, 2, … one at a time, each closed before the next opens; deltas only inside the
 * open block and of its type; then message_delta and message_stop, last. Every payload has the
 * exact shape and `type` equal to the event name.
 */
export function checkEvents(events: AnthropicEvent[]): void {
  const fail = (i: number, why: string) => { throw new Error(`event ${i} (${events[i]?.event}): ${why}`); };
  if (events.length < 3) fail(0, "too few events");
  let open: { index: number; type: string } | null = null;
  let next = 0;
  events.forEach((e, i) => {
    if (e.data.type !== e.event) fail(i, "data.type differs from the event name");
    eventShape.parse(e.data);
    const d = e.data as { index?: number; content_block?: { type: string }; delta?: { type: string } };
    const last = events.length - 1;
    if ((i === 0) !== (e.event === "message_start")) fail(i, "message_start must come first, and only there");
    if ((i === last - 1) !== (e.event === "message_delta")) fail(i, "message_delta must come second to last, and only there");
    if ((i === last) !== (e.event === "message_stop")) fail(i, "message_stop must come last, and only there");
    if (e.event === "content_block_start") {
      if (open) fail(i, "a block opened while another is open");
      if (d.index !== next++) fail(i, "block indexes must be 0, 1, 2, …");
      open = { index: d.index!, type: d.content_block!.type };
    } else if (e.event === "content_block_delta") {
      if (!open || d.index !== open.index) fail(i, "delta outside the open block");
      if (deltaFor[open!.type] !== d.delta!.type) fail(i, `${d.delta!.type} inside a ${open!.type} block`);
    } else if (e.event === "content_block_stop") {
      if (!open || d.index !== open.index) fail(i, "stop for a block that is not open");
      open = null;
    } else if (e.event === "message_delta" && open) {
      fail(i, "message_delta while a block is open");
    }
  });
}

/** What a client assembles from the events: blocks with their text / thinking / JSON text. */
export function assembleEvents(events: AnthropicEvent[]) {
  const blocks: Array<{ type: string; id?: string; name?: string; text: string }> = [];
  let stopReason: unknown = null;
  let finalUsage: unknown = null;
  for (const { data } of events) {
    if (data.type === "content_block_start") {
      const b = data.content_block as { type: string; id?: string; name?: string };
      blocks.push({ type: b.type, ...(b.id ? { id: b.id, name: b.name } : {}), text: "" });
    } else if (data.type === "content_block_delta") {
      const dl = data.delta as { text?: string; thinking?: string; partial_json?: string };
      blocks[data.index as number]!.text += dl.text ?? dl.thinking ?? dl.partial_json ?? "";
    } else if (data.type === "message_delta") {
      stopReason = (data.delta as { stop_reason: unknown }).stop_reason;
      finalUsage = data.usage;
    }
  }
  return { blocks, stopReason, usage: finalUsage };
}

/** A request shaped like Claude Code's: cached system blocks and tools, thinking, tool history. */
export const claudeCodeLike = {
  model: "deepseek/deepseek-chat",
  max_tokens: 32000,
  stream: true,
  temperature: 1,
  metadata: { user_id: "user_abc_account_123_session_456" },
  thinking: { type: "enabled", budget_tokens: 4000 },
  system: [
    { type: "text", text: "You are Claude Code, Anthropic's official CLI for Claude." },
    { type: "text", text: "Long instructions…", cache_control: { type: "ephemeral" } },
  ],
  tools: [{
    name: "Bash", description: "Runs a command", cache_control: { type: "ephemeral", ttl: "1h" },
    input_schema: { type: "object", properties: { command: { type: "string" } }, required: ["command"], additionalProperties: false, $schema: "http://json-schema.org/draft-07/schema#" },
  }],
  messages: [
    { role: "user", content: [{ type: "text", text: "<system-reminder>ctx</system-reminder>" }, { type: "text", text: "List files", cache_control: { type: "ephemeral" } }] },
    {
      role: "assistant",
      content: [
        { type: "thinking", thinking: "I should run ls.", signature: "EqQBCkYIBxgCKkB..." },
        { type: "redacted_thinking", data: "EmwKAhgBEgy..." },
        { type: "text", text: "Running ls.", citations: null },
        { type: "tool_use", id: "toolu_01", name: "Bash", input: { command: "ls" }, caller: { type: "direct" } },
      ],
    },
    { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_01", content: "a.txt\nb.txt", cache_control: { type: "ephemeral" } }] },
  ],
};
