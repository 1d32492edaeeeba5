import { describe, expect, it } from "vitest";
import openaiText from "../../../test/fixtures/providers/openai/chat/openai-text.chunks.txt?raw";
import azureRouter from "../../../test/fixtures/providers/openai/chat/azure-model-router.1.chunks.txt?raw";
import deepseekTool from "../../../test/fixtures/providers/others/deepseek/deepseek-tool-call.chunks.txt?raw";
import deepseekReasoning from "../../../test/fixtures/providers/others/deepseek/deepseek-reasoning.chunks.txt?raw";
import xaiText from "../../../test/fixtures/providers/others/xai/xai-text.chunks.txt?raw";
import xaiTool from "../../../test/fixtures/providers/others/xai/xai-tool-call.chunks.txt?raw";
import groqTool from "../../../test/fixtures/providers/others/groq/groq-tool-call.chunks.txt?raw";
import type { OpenAIChatChunk } from "../../providers/transform";
import { anthropicEventStream, sseFrame, PING_EVENT } from "./stream";
import { XAI_QUIRKS, assembleEvents, checkEvents, chunks, replay, sourceOf, streamCtx, streamUsage, usage } from "../../../test/helpers/anthropic-surface";

/** Replays a fixture with the usage the meter would read, validates the sequence, and assembles it. */
function run(raw: string, quirks?: typeof XAI_QUIRKS) {
  const list = chunks(raw);
  const u = streamUsage(list, quirks);
  const events = replay(list, u);
  checkEvents(events);
  return { events, source: sourceOf(list), u, ...assembleEvents(events) };
}

const types = (blocks: Array<{ type: string }>) => blocks.map((b) => b.type);

describe("anthropicEventStream on recorded OpenAI-format streams", () => {
  it("openai-text.chunks.txt: one text block equal to the source, end_turn, 16/300", () => {
    const r = run(openaiText);
    expect(types(r.blocks)).toEqual(["text"]);
    expect(r.blocks[0]!.text).toBe(r.source.text);
    expect(r.source.text.length).toBeGreaterThan(1000);
    expect(r.stopReason).toBe("end_turn");
    expect(r.usage).toEqual({ input_tokens: 16, output_tokens: 300, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
    expect(r.events[0]!.data).toEqual({
      type: "message_start",
      message: {
        id: "gen-test-123", type: "message", role: "assistant", model: streamCtx.model, content: [], stop_reason: null, stop_sequence: null,
        usage: { input_tokens: 50, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      },
    });
  });

  it("azure-model-router.1.chunks.txt: an empty first chunk with no choices is harmless; 15/78", () => {
    const r = run(azureRouter);
    expect(types(r.blocks)).toEqual(["text"]);
    expect(r.blocks[0]!.text).toBe("Capital of Denmark.");
    expect(r.usage).toEqual({ input_tokens: 15, output_tokens: 78, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
  });

  it("deepseek-tool-call.chunks.txt: thinking, then a tool_use whose partial_json parses to the recorded arguments", () => {
    const r = run(deepseekTool);
    expect(types(r.blocks)).toEqual(["thinking", "tool_use"]);
    expect(r.blocks[0]!.text).toBe(r.source.reasoning);
    expect(r.source.reasoning.length).toBeGreaterThan(50);
    const [src] = r.source.tools;
    expect(r.blocks[1]).toMatchObject({ id: "call_00_ioIn7yN9p1ZOMNpDLwd4MgAF", name: "weather" });
    expect(r.blocks[1]!.text).toBe(src!.arguments);
    expect(JSON.parse(r.blocks[1]!.text)).toEqual(JSON.parse(src!.arguments));
    expect(JSON.parse(r.blocks[1]!.text)).toEqual({ location: "San Francisco" });
    // the arguments came in several fragments, and so do the input_json_deltas
    expect(r.events.filter((e) => (e.data.delta as { type?: string } | undefined)?.type === "input_json_delta").length).toBeGreaterThan(3);
    expect(r.stopReason).toBe("tool_use");
    // in 339 of which 320 cached → input 19, cache_read 320; out 83 (reasoning included)
    expect(r.usage).toEqual({ input_tokens: 19, output_tokens: 83, cache_creation_input_tokens: 0, cache_read_input_tokens: 320 });
  });

  it("deepseek-reasoning.chunks.txt: thinking block then text block; 18/219", () => {
    const r = run(deepseekReasoning);
    expect(types(r.blocks)).toEqual(["thinking", "text"]);
    expect(r.blocks[0]!.text).toBe(r.source.reasoning);
    expect(r.blocks[1]!.text).toBe(r.source.text);
    expect(r.stopReason).toBe("end_turn");
    expect(r.usage).toEqual({ input_tokens: 18, output_tokens: 219, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
  });

  it("xai-text.chunks.txt: reasoning then text; reasoning billed as output (2 + 340), cached 11 of 12", () => {
    const r = run(xaiText, XAI_QUIRKS);
    expect(types(r.blocks)).toEqual(["thinking", "text"]);
    expect(r.blocks[1]!.text).toBe(r.source.text);
    expect(r.blocks[0]!.text).toBe(r.source.reasoning);
    expect(r.usage).toEqual({ input_tokens: 1, output_tokens: 342, cache_creation_input_tokens: 0, cache_read_input_tokens: 11 });
  });

  it("xai-tool-call.chunks.txt: the whole call in one delta; finish_reason sent twice; 307 (306 cached) / 26 + 227", () => {
    const r = run(xaiTool, XAI_QUIRKS);
    expect(types(r.blocks)).toEqual(["thinking", "tool_use"]);
    expect(r.blocks[1]).toMatchObject({ id: "call_79382389", name: "weather", text: "{\"location\":\"San Francisco\"}" });
    expect(JSON.parse(r.blocks[1]!.text)).toEqual(JSON.parse(r.source.tools[0]!.arguments));
    expect(r.stopReason).toBe("tool_use");
    expect(r.usage).toEqual({ input_tokens: 1, output_tokens: 253, cache_creation_input_tokens: 0, cache_read_input_tokens: 306 });
  });

  it("groq-tool-call.chunks.txt: a call with arguments \"{}\" → partial_json \"{}\"; 210/15", () => {
    const r = run(groqTool);
    expect(types(r.blocks)).toEqual(["tool_use"]);
    expect(r.blocks[0]).toMatchObject({ id: "tk85n1k4m", name: "weather", text: "{}" });
    expect(r.stopReason).toBe("tool_use");
    expect(r.usage).toEqual({ input_tokens: 210, output_tokens: 15, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
  });
});

const chunk = (delta: Record<string, unknown>, finish: string | null = null, index = 0): OpenAIChatChunk =>
  ({ id: "x", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index, delta, finish_reason: finish }] }) as OpenAIChatChunk;
const call = (index: number, fields: { id?: string; name?: string; arguments?: string }) =>
  ({ index, ...(fields.id ? { id: fields.id, type: "function" } : {}), function: { ...(fields.name ? { name: fields.name } : {}), arguments: fields.arguments ?? "" } });

describe("anthropicEventStream edge cases", () => {
  it("parallel tool calls become separate tool_use blocks, after the text, with increasing indexes", () => {
    const events = replay([
      chunk({ role: "assistant", content: "Checking both." }),
      chunk({ tool_calls: [call(0, { id: "c0", name: "weather", arguments: "{\"city\":" })] }),
      chunk({ tool_calls: [call(0, { arguments: "\"Paris\"}" })] }),
      chunk({ tool_calls: [call(1, { id: "c1", name: "time", arguments: "" })] }),
      chunk({ tool_calls: [call(1, { arguments: "{\"tz\":\"CET\"}" })] }),
      chunk({}, "tool_calls"),
    ], usage(100, 20));
    checkEvents(events);
    const r = assembleEvents(events);
    expect(r.blocks).toEqual([
      { type: "text", text: "Checking both." },
      { type: "tool_use", id: "c0", name: "weather", text: "{\"city\":\"Paris\"}" },
      { type: "tool_use", id: "c1", name: "time", text: "{\"tz\":\"CET\"}" },
    ]);
    expect(r.stopReason).toBe("tool_use");
  });

  it("holds arguments back until the call's name arrives; a missing id gets a stable one", () => {
    const events = replay([
      chunk({ tool_calls: [call(0, { arguments: "{\"a\"" })] }),
      chunk({ tool_calls: [call(0, { name: "f", arguments: ":1}" })] }),
    ], usage(10, 5));
    checkEvents(events);
    expect(assembleEvents(events).blocks).toEqual([{ type: "tool_use", id: "toolu_gen-test-123_0", name: "f", text: "{\"a\":1}" }]);
  });

  it("switching kinds closes the open block: thinking → text → thinking gives three blocks", () => {
    const events = replay([chunk({ reasoning_content: "a" }), chunk({ content: "b" }), chunk({ reasoning: "c" })], usage(1, 1));
    checkEvents(events);
    expect(assembleEvents(events).blocks.map((b) => `${b.type}:${b.text}`)).toEqual(["thinking:a", "text:b", "thinking:c"]);
  });

  it("maps finish reasons: length → max_tokens, content_filter → refusal; the finish() argument wins", () => {
    const stop = (list: OpenAIChatChunk[], finish?: string) => {
      const s = anthropicEventStream(streamCtx);
      list.forEach((c) => s.push(c));
      return ((s.finish(usage(1, 1), finish).at(-2)!.data.delta) as { stop_reason: string }).stop_reason;
    };
    expect(stop([chunk({ content: "x" }, "length")])).toBe("max_tokens");
    expect(stop([chunk({ content: "x" }, "content_filter")])).toBe("refusal");
    expect(stop([chunk({ content: "x" }, "stop")], "length")).toBe("max_tokens");
    expect(stop([chunk({ content: "x" })])).toBe("end_turn");
    expect(stop([chunk({ refusal: "I can't help with that." }, "stop")])).toBe("refusal");
    // some providers say "stop" after a tool call
    expect(stop([chunk({ tool_calls: [call(0, { id: "c", name: "f", arguments: "{}" })] }, "stop")])).toBe("tool_use");
  });

  it("an empty stream still yields a valid message; without usage the estimate and a character count are used", () => {
    const s = anthropicEventStream(streamCtx);
    const empty = s.finish(null);
    expect(empty.map((e) => e.event)).toEqual(["message_start", "message_delta", "message_stop"]);
    expect(empty[1]!.data.usage).toEqual({ input_tokens: 50, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });

    const t = anthropicEventStream(streamCtx);
    t.push(chunk({ content: "12345678" }));
    const end = t.finish(null);
    expect(end.at(-2)!.data.usage).toMatchObject({ input_tokens: 50, output_tokens: 2 });
  });

  it("reports cache writes and reads separately from input_tokens", () => {
    const events = replay([chunk({ content: "hi" }, "stop")], usage(1000, 10, 600, 300));
    expect(events.at(-2)!.data.usage).toEqual({ input_tokens: 100, output_tokens: 10, cache_creation_input_tokens: 300, cache_read_input_tokens: 600 });
  });

  it("fail() emits one error event, and nothing follows it", () => {
    const s = anthropicEventStream(streamCtx);
    const first = s.push(chunk({ content: "partial" }));
    expect(first.map((e) => e.event)).toEqual(["message_start", "content_block_start", "content_block_delta"]);
    expect(s.fail("The provider stopped responding.")).toEqual([
      { event: "error", data: { type: "error", error: { type: "api_error", message: "The provider stopped responding." } } },
    ]);
    expect(s.push(chunk({ content: "more" }))).toEqual([]);
    expect(s.finish(usage(1, 1))).toEqual([]);
    expect(s.fail("again")).toEqual([]);
    expect(anthropicEventStream(streamCtx).fail("x", "overloaded_error")[0]!.data).toEqual({ type: "error", error: { type: "overloaded_error", message: "x" } });
  });

  it("finish() is final: later calls return nothing", () => {
    const s = anthropicEventStream(streamCtx);
    expect(s.finish(usage(1, 1)).length).toBe(3);
    expect(s.finish(usage(1, 1))).toEqual([]);
    expect(s.push(chunk({ content: "x" }))).toEqual([]);
  });

  it("sseFrame writes the event name and the JSON data line", () => {
    expect(sseFrame(PING_EVENT)).toBe("event: ping\ndata: {\"type\":\"ping\"}\n\n");
    expect(sseFrame({ event: "message_stop", data: { type: "message_stop" } })).toBe("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
  });
});
