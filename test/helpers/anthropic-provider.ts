/** Test helpers (imported only by *.test.ts): replaying fixtures and checking OpenAI shapes. */
import { z } from "zod";
import type { ChatCompletionRequest } from "../../src/wire/chat";
import type { OpenAIChatChunk, OpenAIChatCompletion, TransformContext } from "../../src/providers/transform";
import { createStreamTranslator, type AnthropicStreamTranslator } from "../../src/providers/anthropic/stream";

export const ctx: TransformContext = {
  requestId: "gen-test-123",
  model: "anthropic/claude-sonnet-4.5",
  upstreamModel: "claude-sonnet-4-5-20250929",
  outputCap: null,
  created: 1_750_000_000,
};

export const chatRequest = (over: Partial<ChatCompletionRequest> = {}): ChatCompletionRequest => ({
  model: "anthropic/claude-sonnet-4.5",
  messages: [{ role: "user", content: "Hello" }],
  ...over,
});

/** The events of a `.chunks.txt` fixture: non-empty lines, each parsed as JSON. */
export function events(raw: string): Array<Record<string, unknown>> {
  return raw.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Feeds a fixture through a fresh translator, as the gateway would (event name = data.type). */
export function replay(raw: string, c: TransformContext = ctx): { chunks: OpenAIChatChunk[]; translator: AnthropicStreamTranslator } {
  const translator = createStreamTranslator(c);
  const chunks: OpenAIChatChunk[] = [];
  for (const data of events(raw)) chunks.push(...translator.push({ event: String(data.type), data }));
  chunks.push(...translator.end());
  return { chunks, translator };
}

/** What a client would assemble from the chunks. */
export function assemble(chunks: OpenAIChatChunk[]) {
  let content = "";
  let reasoning = "";
  const tools: Array<{ id?: string; name?: string; arguments: string }> = [];
  const finishReasons: string[] = [];
  const usages: Array<Record<string, unknown>> = [];
  for (const c of chunks) {
    if (c.usage) usages.push(c.usage);
    for (const ch of c.choices) {
      if (ch.finish_reason) finishReasons.push(ch.finish_reason);
      content += ch.delta.content ?? "";
      reasoning += ch.delta.reasoning_content ?? "";
      for (const t of ch.delta.tool_calls ?? []) {
        const slot = (tools[t.index] ??= { arguments: "" });
        if (t.id !== undefined) slot.id = t.id;
        if (t.function.name !== undefined) slot.name = t.function.name;
        slot.arguments += t.function.arguments;
      }
    }
  }
  return { content, reasoning, tools, finishReasons, usages };
}

const finish = z.enum(["stop", "length", "tool_calls", "content_filter"]).nullable();
const openaiUsage = z.strictObject({
  prompt_tokens: z.number().int().min(0),
  completion_tokens: z.number().int().min(0),
  total_tokens: z.number().int().min(0),
  prompt_tokens_details: z.strictObject({ cached_tokens: z.number().int().min(0), cache_write_tokens: z.number().int().min(0) }),
  completion_tokens_details: z.strictObject({ reasoning_tokens: z.number().int().min(0) }),
}).refine((u) => u.total_tokens === u.prompt_tokens + u.completion_tokens);

const chunkSchema = z.strictObject({
  id: z.literal(ctx.requestId),
  object: z.literal("chat.completion.chunk"),
  created: z.literal(ctx.created),
  model: z.literal(ctx.model),
  choices: z.array(z.strictObject({
    index: z.literal(0),
    delta: z.strictObject({
      role: z.literal("assistant").optional(),
      content: z.string().optional(),
      reasoning_content: z.string().optional(),
      tool_calls: z.array(z.strictObject({
        index: z.number().int().min(0),
        id: z.string().min(1).optional(),
        type: z.literal("function").optional(),
        function: z.strictObject({ name: z.string().min(1).optional(), arguments: z.string() }),
      })).length(1).optional(),
    }),
    finish_reason: finish,
  })).max(1),
  usage: openaiUsage.optional(),
});

const completionSchema = z.strictObject({
  id: z.literal(ctx.requestId),
  object: z.literal("chat.completion"),
  created: z.literal(ctx.created),
  model: z.literal(ctx.model),
  choices: z.array(z.strictObject({
    index: z.literal(0),
    message: z.strictObject({
      role: z.literal("assistant"),
      content: z.string().nullable(),
      reasoning_content: z.string().min(1).optional(),
      refusal: z.null(),
      tool_calls: z.array(z.strictObject({
        id: z.string().min(1),
        type: z.literal("function"),
        function: z.strictObject({ name: z.string().min(1), arguments: z.string() }),
      })).min(1).optional(),
    }),
    finish_reason: finish,
    logprobs: z.null(),
  })).length(1),
  usage: openaiUsage.optional(),
});

/** Throws (failing the test) unless every chunk is a valid OpenAI chat.completion.chunk. */
export function checkChunks(chunks: OpenAIChatChunk[]): void {
  for (const c of chunks) chunkSchema.parse(c);
  // Exactly one usage chunk, with no choices; the first chunk carries the role.
  const usageChunks = chunks.filter((c) => c.usage);
  if (usageChunks.some((c) => c.choices.length !== 0)) throw new Error("usage chunk with choices");
  if (chunks[0]?.choices[0]?.delta.role !== "assistant") throw new Error("first chunk lacks the role");
  if (chunks.filter((c) => c.choices[0]?.delta.role).length !== 1) throw new Error("role sent more than once");
}

export function checkCompletion(c: OpenAIChatCompletion): void {
  completionSchema.parse(c);
}
