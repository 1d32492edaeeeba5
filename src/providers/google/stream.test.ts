import { describe, expect, it } from "vitest";
import noArgsRaw from "../../../test/fixtures/providers/google/google-stream-no-args-tool-call.chunks.txt?raw";
import textRaw from "../../../test/fixtures/providers/google/google-text.chunks.txt?raw";
import toolRaw from "../../../test/fixtures/providers/google/google-tool-call.chunks.txt?raw";
import { SseParser } from "../../gateway/sse";
import { readOpenAIUsage } from "../openai-compatible/usage";
import type { OpenAIChatChunk } from "../transform";
import { collect, ctx, expectChunkShape, lines } from "../../../test/helpers/google-provider";
import { geminiChat } from "./index";

/** Feeds parsed events one by one, checking every produced chunk's shape; returns all chunks and the translator. */
function run(events: unknown[]) {
  const t = geminiChat.stream(ctx);
  const chunks: OpenAIChatChunk[] = [];
  for (const data of events) chunks.push(...t.push({ event: null, data }));
  const beforeEnd = t.finished();
  chunks.push(...t.end());
  chunks.forEach(expectChunkShape);
  return { t, chunks, beforeEnd, ...collect(chunks) };
}

/** Replays a chunks file as Gemini SSE bytes (data: L + CRLF CRLF), split every `size` characters. */
function replaySse(raw: string, newline: string, size: number) {
  const text = raw.split("\n").filter((l) => l.trim()).map((l) => `data: ${l}${newline}${newline}`).join("");
  const parser = new SseParser();
  const t = geminiChat.stream(ctx);
  const chunks: OpenAIChatChunk[] = [];
  const feed = (events: Array<{ event: string | null; data: string }>) => {
    for (const e of events) chunks.push(...t.push({ event: e.event, data: JSON.parse(e.data) as unknown }));
  };
  for (let i = 0; i < text.length; i += size) feed(parser.push(text.slice(i, i + size)));
  feed(parser.end());
  chunks.push(...t.end());
  return { chunks, usage: t.usage(), finished: t.finished() };
}

const usageOf = (r: { usage: unknown[] }) => r.usage.at(-1) as Record<string, unknown>;
const openaiQuirks = { maxTokensField: "max_tokens", reasoningExcludedFromCompletion: false } as const;

describe("geminiChat.stream on recorded streams", () => {
  it("google-text.chunks.txt: text deltas, cumulative usage replaced, finish stop", () => {
    const events = lines(textRaw);
    const r = run(events);
    expect(r.content).toBe("There are **3** \"r\"s in strawberry.\n\nst**r**awbe**rr**y");
    expect(r.reasoning).toBe("");
    expect(r.calls).toEqual([]);
    expect(r.finishes).toEqual(["stop"]);
    expect(r.roles).toBe(1);
    expect(r.beforeEnd).toBe(true);
    expect(r.t.usage()).toEqual({ promptTokens: 9, completionTokens: 208, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 185 });
    expect(usageOf(r)).toMatchObject({ prompt_tokens: 9, completion_tokens: 208, total_tokens: 217, completion_tokens_details: { reasoning_tokens: 185 } });
    expect(readOpenAIUsage(usageOf(r), openaiQuirks)).toEqual(r.t.usage());
    // The last event has only an empty text part (with a thoughtSignature): no content chunk, just the finish chunk.
    const last = r.chunks.filter((c) => c.choices.length > 0).at(-1)!;
    expect(last.choices[0]).toEqual({ index: 0, delta: {}, finish_reason: "stop" });
    // The usage chunk comes last, without choices, as OpenAI sends it.
    expect(r.chunks.at(-1)!.choices).toEqual([]);
  });

  it("google-text.chunks.txt: usage after the first event is that event's cumulative figures", () => {
    const t = geminiChat.stream(ctx);
    t.push({ event: null, data: lines(textRaw)[0] });
    expect(t.usage()).toEqual({ promptTokens: 9, completionTokens: 190, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 185 });
    expect(t.finished()).toBe(false);
  });

  it("google-tool-call.chunks.txt: one whole call, finish tool_calls", () => {
    const r = run(lines(toolRaw));
    expect(r.calls).toEqual([{ id: "call_req_abc_0", name: "weather", arguments: expect.any(String) }]);
    expect(JSON.parse(r.calls[0]!.arguments)).toEqual({ location: "San Francisco" });
    expect(r.content).toBe("");
    expect(r.finishes).toEqual(["tool_calls"]);
    expect(r.t.usage()).toEqual({ promptTokens: 29, completionTokens: 60, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 45 });
    // The whole call arrives in a single delta carrying id, type, name and arguments.
    const callChunks = r.chunks.filter((c) => c.choices[0]?.delta.tool_calls);
    expect(callChunks).toHaveLength(1);
    expect(callChunks[0]!.choices[0]!.delta).toEqual({
      role: "assistant",
      tool_calls: [{ index: 0, id: "call_req_abc_0", type: "function", function: { name: "weather", arguments: "{\"location\":\"San Francisco\"}" } }],
    });
  });

  it("google-stream-no-args-tool-call.chunks.txt: thought summary, a call without args, three streamed parallel calls", () => {
    const events = lines(noArgsRaw);
    const t = geminiChat.stream(ctx);
    // Intermediate chunks hold only trafficType in usageMetadata: that is not usage.
    for (const data of events.slice(0, -1)) t.push({ event: null, data });
    expect(t.usage()).toBeNull();
    expect(t.finished()).toBe(false);

    const r = run(events);
    expect(r.reasoning).toMatch(/^\*\*Processing User Requests\*\*\n\nI've started by understanding/);
    expect(r.content).toBe("");
    expect(r.calls).toEqual([
      { id: "call_req_abc_0", name: "read_theme", arguments: "{}" },
      { id: "call_req_abc_1", name: "read_screen", arguments: "{\"id\":\"A\"}" },
      { id: "call_req_abc_2", name: "read_screen", arguments: "{\"id\":\"B\"}" },
      { id: "call_req_abc_3", name: "read_screen", arguments: "{\"id\":\"C\"}" },
    ]);
    expect(r.calls.map((c) => JSON.parse(c.arguments) as unknown)).toEqual([{}, { id: "A" }, { id: "B" }, { id: "C" }]);
    expect(r.finishes).toEqual(["tool_calls"]);
    expect(r.t.usage()).toEqual({ promptTokens: 249, completionTokens: 241, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 183 });
    expect(usageOf(r)).toMatchObject({ prompt_tokens: 249, completion_tokens: 241, total_tokens: 490 });

    // A streamed call is announced (id, name, arguments "") when it opens and gets its full arguments when it closes.
    const deltas = r.chunks.flatMap((c) => c.choices.flatMap((ch) => ch.delta.tool_calls ?? []));
    expect(deltas.filter((d) => d.index === 1)).toEqual([
      { index: 1, id: "call_req_abc_1", type: "function", function: { name: "read_screen", arguments: "" } },
      { index: 1, function: { arguments: "{\"id\":\"A\"}" } },
    ]);
    expect(deltas.filter((d) => d.index === 0)).toEqual([{ index: 0, id: "call_req_abc_0", type: "function", function: { name: "read_theme", arguments: "{}" } }]);
  });

  it("is deterministic: the same stream yields the same chunks", () => {
    expect(run(lines(noArgsRaw)).chunks).toEqual(run(lines(noArgsRaw)).chunks);
  });

  it.each([["CRLF", "\r\n"], ["LF", "\n"]])("replays every recorded stream as SSE with %s framing split at arbitrary points", (_, nl) => {
    for (const raw of [textRaw, toolRaw, noArgsRaw]) {
      const whole = run(lines(raw)).chunks;
      for (const size of [1, 2, 3, 7, 64, 100_000]) {
        const r = replaySse(raw, nl, size);
        expect(r.chunks).toEqual(whole);
        expect(r.finished).toBe(true);
      }
    }
  });
});

describe("geminiChat.stream edge cases", () => {
  const ev = (parts: unknown[], extra: Record<string, unknown> = {}) => ({ candidates: [{ content: { role: "model", parts }, ...extra }] });

  it("thought and text deltas interleave; usage is replaced, never added", () => {
    const r = run([
      ev([{ text: "Thinking", thought: true }], {}),
      { ...ev([{ text: "Hi" }]), usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 1, thoughtsTokenCount: 10 } },
      { ...ev([{ text: " there" }], { finishReason: "STOP" }), usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 2, thoughtsTokenCount: 10 } },
    ]);
    expect(r).toMatchObject({ content: "Hi there", reasoning: "Thinking", finishes: ["stop"], roles: 1 });
    expect(r.t.usage()).toEqual({ promptTokens: 5, completionTokens: 12, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 10 });
  });

  it("MAX_TOKENS → length; SAFETY → content_filter", () => {
    expect(run([ev([{ text: "a" }], { finishReason: "MAX_TOKENS" })]).finishes).toEqual(["length"]);
    expect(run([ev([], { finishReason: "SAFETY" })]).finishes).toEqual(["content_filter"]);
  });

  it("a blocked prompt finishes with content_filter", () => {
    const r = run([{ promptFeedback: { blockReason: "PROHIBITED_CONTENT" }, usageMetadata: { promptTokenCount: 7 } }]);
    expect(r.finishes).toEqual(["content_filter"]);
    expect(r.beforeEnd).toBe(true);
  });

  it("a call left open at the finish is closed before the finish chunk; a stream without finish is not finished", () => {
    const open = [ev([{ functionCall: { name: "f", willContinue: true } }]), ev([{ functionCall: { partialArgs: [{ jsonPath: "$.n", numberValue: 3 }], willContinue: true } }])];
    const r = run([...open, ev([], { finishReason: "STOP" })]);
    expect(r.calls).toEqual([{ id: "call_req_abc_0", name: "f", arguments: "{\"n\":3}" }]);
    expect(r.finishes).toEqual(["tool_calls"]);

    const cut = run(open);
    expect(cut.beforeEnd).toBe(false);
    expect(cut.t.finished()).toBe(false);
    expect(cut.calls).toEqual([{ id: "call_req_abc_0", name: "f", arguments: "{\"n\":3}" }]);
    expect(cut.finishes).toEqual([]);
  });

  it("ignores content after the finish and odd events; no usage chunk without usage", () => {
    const r = run([null, "x", [], { candidates: [] }, ev([{ text: "a" }], { finishReason: "STOP" }), ev([{ text: "late" }])]);
    expect(r.content).toBe("a");
    expect(r.usage).toEqual([]);
    expect(r.t.usage()).toBeNull();
  });
});
