import { expect } from "vitest";
import type { OpenAIChatChunk, OpenAIChatCompletion, TransformContext } from "../../src/providers/transform";

/** Test helpers: fixture parsing, a context, and OpenAI shape checks (imported by *.test.ts only). */

export const ctx: TransformContext = { requestId: "req_abc", model: "google/gemini-3-pro", upstreamModel: "gemini-3-pro-preview", outputCap: null, created: 1_700_000_000 };

export const lines = (raw: string): unknown[] => raw.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as unknown);

const FINISH = [null, "stop", "length", "tool_calls", "content_filter"];

export function expectCompletionShape(c: OpenAIChatCompletion): void {
  expect(c.object).toBe("chat.completion");
  expect(c.id).toBe(ctx.requestId);
  expect(c.created).toBe(ctx.created);
  expect(c.model).toBe(ctx.model);
  expect(c.choices).toHaveLength(1);
  const ch = c.choices[0]!;
  expect(ch.index).toBe(0);
  expect(ch.logprobs).toBeNull();
  expect(FINISH).toContain(ch.finish_reason);
  expect(ch.message.role).toBe("assistant");
  expect(ch.message.content === null || typeof ch.message.content === "string").toBe(true);
  for (const tc of ch.message.tool_calls ?? []) {
    expect(tc.type).toBe("function");
    expect(tc.id).toMatch(/^call_/);
    expect(typeof tc.function.name).toBe("string");
    expect(typeof JSON.parse(tc.function.arguments)).toBe("object");
  }
  if (c.usage) {
    const u = c.usage as Record<string, number>;
    expect(u.total_tokens).toBe(u.prompt_tokens! + u.completion_tokens!);
  }
}

export function expectChunkShape(c: OpenAIChatChunk): void {
  expect(c.object).toBe("chat.completion.chunk");
  expect(c.id).toBe(ctx.requestId);
  expect(c.created).toBe(ctx.created);
  expect(c.model).toBe(ctx.model);
  expect(JSON.parse(JSON.stringify(c))).toEqual(c);
  if (c.choices.length === 0) {
    expect(c.usage).toBeTruthy();
    return;
  }
  expect(c.choices).toHaveLength(1);
  const ch = c.choices[0]!;
  expect(ch.index).toBe(0);
  expect(FINISH).toContain(ch.finish_reason);
  const allowed = ["role", "content", "reasoning_content", "tool_calls"];
  for (const k of Object.keys(ch.delta)) expect(allowed).toContain(k);
  for (const tc of ch.delta.tool_calls ?? []) {
    expect(Number.isInteger(tc.index)).toBe(true);
    expect(typeof tc.function.arguments).toBe("string");
    if (tc.id !== undefined) {
      expect(tc.type).toBe("function");
      expect(typeof tc.function.name).toBe("string");
    }
  }
}

/** Concatenates a chunk stream the way an OpenAI client does. */
export function collect(chunks: OpenAIChatChunk[]) {
  let content = "";
  let reasoning = "";
  const calls: Array<{ id: string; name: string; arguments: string }> = [];
  const finishes: string[] = [];
  let roles = 0;
  for (const c of chunks) {
    for (const ch of c.choices) {
      if (ch.delta.role) roles++;
      content += ch.delta.content ?? "";
      reasoning += ch.delta.reasoning_content ?? "";
      for (const tc of ch.delta.tool_calls ?? []) {
        const call = (calls[tc.index] ??= { id: "", name: "", arguments: "" });
        if (tc.id) call.id = tc.id;
        if (tc.function.name) call.name += tc.function.name;
        call.arguments += tc.function.arguments;
      }
      if (ch.finish_reason) finishes.push(ch.finish_reason);
    }
  }
  return { content, reasoning, calls, finishes, roles, usage: chunks.filter((c) => c.usage).map((c) => c.usage) };
}
