import { describe, expect, it } from "vitest";
import textChunks from "../../../test/fixtures/providers/anthropic/anthropic-text.chunks.txt?raw";
import toolNoArgsChunks from "../../../test/fixtures/providers/anthropic/anthropic-tool-no-args.chunks.txt?raw";
import jsonToolChunks from "../../../test/fixtures/providers/anthropic/anthropic-json-tool.2.chunks.txt?raw";
import thinkingChunks from "../../../test/fixtures/providers/anthropic/anthropic-clear-thinking.1.chunks.txt?raw";
import codeExecChunks from "../../../test/fixtures/providers/anthropic/anthropic-code-execution-20260120-prompt-cache.1.chunks.txt?raw";
import deltaInputChunks from "../../../test/fixtures/providers/anthropic/anthropic-message-delta-input-tokens.chunks.txt?raw";
import errorBody from "../../../test/fixtures/providers/anthropic/error-message.json";
import { anthropicChat } from "./index";
import { JSON_RESPONSE_TOOL } from "./shared";
import { assemble, checkChunks, ctx, events, replay } from "../../../test/helpers/anthropic-provider";

const usage = (p: number, c: number, cached = 0, write = 0, reasoning = 0) => ({ promptTokens: p, completionTokens: c, cachedTokens: cached, cacheWriteTokens: write, reasoningTokens: reasoning });

/** Replays the fixture, checks shapes, and returns what a client would assemble. */
function run(raw: string) {
  const { chunks, translator } = replay(raw);
  checkChunks(chunks);
  expect(translator.finished()).toBe(true);
  expect(translator.error()).toBeNull();
  return { ...assemble(chunks), chunks, translator };
}

/** Usage reported after the message_start event alone (the provisional figures). */
function provisional(raw: string) {
  const t = anthropicChat.stream(ctx);
  const first = events(raw)[0]!;
  expect(first.type).toBe("message_start");
  t.push({ event: "message_start", data: first });
  expect(t.finished()).toBe(false);
  return t.usage();
}

describe("anthropic stream() on recorded streams", () => {
  it("anthropic-text.chunks.txt: text deltas, ping ignored, start 12/1 → final 12/30", () => {
    expect(provisional(textChunks)).toEqual(usage(12, 1));
    const r = run(textChunks);
    expect(r.content).toBe("Hello! I'm doing well, thank you for asking. How are you doing today? Is there anything I can help you with?");
    expect(r.reasoning).toBe("");
    expect(r.tools).toEqual([]);
    expect(r.finishReasons).toEqual(["stop"]);
    expect(r.translator.usage()).toEqual(usage(12, 30));
    expect(r.usages).toEqual([{
      prompt_tokens: 12, completion_tokens: 30, total_tokens: 42,
      prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 },
    }]);
    // the usage chunk is last, after the finish chunk
    expect(r.chunks.at(-1)!.choices).toEqual([]);
    expect(r.chunks.at(-2)!.choices[0]!.finish_reason).toBe("stop");
  });

  it("anthropic-tool-no-args.chunks.txt: a tool with a single empty fragment ends up \"{}\", 565/7 → 565/48", () => {
    expect(provisional(toolNoArgsChunks)).toEqual(usage(565, 7));
    const r = run(toolNoArgsChunks);
    expect(r.content).toBe("I'll update the issue list for you.");
    expect(r.tools).toEqual([{ id: "toolu_01QE1WLsSVp5hy5Q3GmGTmjP", name: "updateIssueList", arguments: "{}" }]);
    expect(r.finishReasons).toEqual(["tool_calls"]);
    expect(r.translator.usage()).toEqual(usage(565, 48));
    // id, type and name come once, on the first tool chunk, with empty arguments
    const toolDeltas = r.chunks.flatMap((c) => c.choices.flatMap((ch) => ch.delta.tool_calls ?? []));
    expect(toolDeltas).toEqual([
      { index: 0, id: "toolu_01QE1WLsSVp5hy5Q3GmGTmjP", type: "function", function: { name: "updateIssueList", arguments: "" } },
      { index: 0, function: { arguments: "{}" } },
    ]);
  });

  it("anthropic-json-tool.2.chunks.txt: fragmented arguments JSON.parse to the recorded input, 849/10 → 849/47", () => {
    expect(provisional(jsonToolChunks)).toEqual(usage(849, 10));
    const r = run(jsonToolChunks);
    expect(r.content).toBe("I'll invoke the JSON response tool.");
    expect(r.tools).toHaveLength(1);
    expect(r.tools[0]).toMatchObject({ id: "toolu_01KFbKqPYSuAKujiL6mTfzYA", name: "json" });
    expect(JSON.parse(r.tools[0]!.arguments)).toEqual({ elements: [{ location: "San Francisco", temperature: 58, condition: "sunny" }] });
    // the leading "" fragment is not sent; the two real fragments are
    const pieces = r.chunks.flatMap((c) => c.choices.flatMap((ch) => ch.delta.tool_calls ?? [])).map((t) => t.function.arguments);
    expect(pieces).toEqual(["", '{"elements": [{"location": "San Francisco", "temperature": 58, "condition": "sunny"}]', "}"]);
    expect(r.finishReasons).toEqual(["tool_calls"]);
    expect(r.translator.usage()).toEqual(usage(849, 47));
  });

  it("anthropic-clear-thinking.1.chunks.txt: thinking_delta → reasoning_content, signature ignored, 69/2 → 69/53", () => {
    expect(provisional(thinkingChunks)).toEqual(usage(69, 2));
    const r = run(thinkingChunks);
    expect(r.reasoning).toBe("The previous result was 925. Now I need to divide that by 5.\n\n925 ÷ 5 = 185");
    expect(r.content).toBe("925 ÷ 5 = 185");
    expect(JSON.stringify(r.chunks)).not.toContain("EvQBCkYI"); // the signature never leaks
    expect(r.finishReasons).toEqual(["stop"]);
    expect(r.translator.usage()).toEqual(usage(69, 53));
  });

  it("anthropic-code-execution…prompt-cache.1.chunks.txt: server tools skipped, cache figures from message_delta replace the start", () => {
    expect(provisional(codeExecChunks)).toEqual(usage(2 + 3068, 69, 0, 3068));
    const r = run(codeExecChunks);
    expect(r.tools).toEqual([]);
    expect(r.content).toBe("The sum of the squares of the numbers 1 through 12 is **650**.");
    expect(r.finishReasons).toEqual(["stop"]);
    expect(r.translator.usage()).toEqual(usage(6 + 3337 + 6289, 198, 6289, 3337, 0));
    expect(r.translator.usage()!.promptTokens).toBe(9632);
    expect(r.usages[0]).toMatchObject({ prompt_tokens: 9632, completion_tokens: 198, total_tokens: 9830, prompt_tokens_details: { cached_tokens: 6289, cache_write_tokens: 3337 } });
  });

  it("anthropic-message-delta-input-tokens.chunks.txt: message_delta input_tokens overrides the provisional 43", () => {
    expect(provisional(deltaInputChunks)).toEqual(usage(43, 1));
    const r = run(deltaInputChunks);
    expect(r.content).toBe("pong");
    expect(r.translator.usage()).toEqual(usage(61, 2));
  });

  it("every fixture also works when the event name is only in the SSE `event:` field", () => {
    for (const raw of [textChunks, toolNoArgsChunks, jsonToolChunks, thinkingChunks, codeExecChunks, deltaInputChunks]) {
      const t = anthropicChat.stream(ctx);
      const viaData = replay(raw).chunks;
      const viaEvent = events(raw).flatMap(({ type, ...rest }) => t.push({ event: String(type), data: rest }));
      viaEvent.push(...t.end());
      expect(viaEvent).toEqual(viaData);
      expect(t.finished()).toBe(true);
    }
  });
});

describe("anthropic stream() behaviour", () => {
  const start = { type: "message_start", message: { id: "msg_1", type: "message", role: "assistant", content: [], usage: { input_tokens: 5, output_tokens: 1 } } };
  const feed = (list: Array<Record<string, unknown>>) => {
    const t = anthropicChat.stream(ctx);
    const chunks = list.flatMap((d) => t.push({ event: String(d.type), data: d }));
    chunks.push(...t.end());
    return { t, chunks };
  };

  it("an error event: no chunks, error() exposes it, finished() stays false, later events ignored", () => {
    const { t, chunks } = feed([
      start,
      { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
      { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hi" } },
      { type: "error", error: { type: "overloaded_error", message: "Overloaded" } },
      { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "ignored" } },
      { type: "message_stop" },
    ]);
    expect(assemble(chunks).content).toBe("Hi");
    expect(t.error()).toEqual({ type: "overloaded_error", message: "Overloaded" });
    expect(t.finished()).toBe(false);
    expect(t.usage()).toEqual(usage(5, 1));
  });

  it("the error fixture's body shape is read by error()", () => {
    const { t } = feed([start, errorBody]);
    expect(t.error()).toEqual({ type: "invalid_request_error", message: errorBody.error.message });
  });

  it("a stream cut before message_stop is not finished and ends with no extra chunks", () => {
    const { t, chunks } = feed(events(textChunks).slice(0, 6));
    expect(t.finished()).toBe(false);
    expect(assemble(chunks).finishReasons).toEqual([]);
    expect(t.usage()).toEqual(usage(12, 1));
  });

  it("parallel tool calls get OpenAI indexes 0 and 1 regardless of block index; max_tokens → length", () => {
    const { chunks } = feed([
      start,
      { type: "content_block_start", index: 0, content_block: { type: "thinking", thinking: "", signature: "" } },
      { type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "hmm" } },
      { type: "content_block_stop", index: 0 },
      { type: "content_block_start", index: 1, content_block: { type: "tool_use", id: "toolu_a", name: "f", input: {} } },
      { type: "content_block_start", index: 2, content_block: { type: "tool_use", id: "toolu_b", name: "g", input: {} } },
      { type: "content_block_delta", index: 2, delta: { type: "input_json_delta", partial_json: '{"b":' } },
      { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: '{"a":1}' } },
      { type: "content_block_delta", index: 2, delta: { type: "input_json_delta", partial_json: "2}" } },
      { type: "content_block_stop", index: 1 },
      { type: "content_block_stop", index: 2 },
      { type: "message_delta", delta: { stop_reason: "max_tokens" }, usage: { output_tokens: 40 } },
      { type: "message_stop" },
    ]);
    checkChunks(chunks);
    const r = assemble(chunks);
    expect(r.reasoning).toBe("hmm");
    expect(r.tools).toEqual([{ id: "toolu_a", name: "f", arguments: '{"a":1}' }, { id: "toolu_b", name: "g", arguments: '{"b":2}' }]);
    expect(r.finishReasons).toEqual(["length"]);
  });

  it("the injected response_format tool streams as content, finish_reason stop", () => {
    const raw = jsonToolChunks.replace('"name":"json"', `"name":"${JSON_RESPONSE_TOOL}"`);
    const { chunks } = replay(raw);
    checkChunks(chunks);
    const r = assemble(chunks);
    expect(r.tools).toEqual([]);
    expect(JSON.parse(r.content.slice("I'll invoke the JSON response tool.".length))).toEqual({ elements: [{ location: "San Francisco", temperature: 58, condition: "sunny" }] });
    expect(r.finishReasons).toEqual(["stop"]);
  });

  it("the injected tool with only an empty fragment yields \"{}\" content", () => {
    const { chunks } = feed([
      start,
      { type: "content_block_start", index: 0, content_block: { type: "tool_use", id: "toolu_j", name: JSON_RESPONSE_TOOL, input: {} } },
      { type: "content_block_delta", index: 0, delta: { type: "input_json_delta", partial_json: "" } },
      { type: "content_block_stop", index: 0 },
      { type: "message_delta", delta: { stop_reason: "tool_use" }, usage: { output_tokens: 3 } },
      { type: "message_stop" },
    ]);
    expect(assemble(chunks)).toMatchObject({ content: "{}", finishReasons: ["stop"] });
  });

  it("a tool whose input arrives whole in content_block_start (compatible providers) is sent at stop", () => {
    const { chunks } = feed([
      start,
      { type: "content_block_start", index: 0, content_block: { type: "tool_use", id: "toolu_w", name: "f", input: { q: "x" } } },
      { type: "content_block_stop", index: 0 },
      { type: "message_delta", delta: { stop_reason: "tool_use" } },
      { type: "message_stop" },
    ]);
    expect(assemble(chunks).tools).toEqual([{ id: "toolu_w", name: "f", arguments: '{"q":"x"}' }]);
  });

  it("message_stop without message_delta still closes with a stop finish chunk", () => {
    const { t, chunks } = feed([start, { type: "message_stop" }]);
    checkChunks(chunks);
    expect(assemble(chunks).finishReasons).toEqual(["stop"]);
    expect(t.finished()).toBe(true);
  });

  it("no usage anywhere → usage() null and no usage chunk", () => {
    const { t, chunks } = feed([
      { type: "message_start", message: { id: "m", content: [] } },
      { type: "message_delta", delta: { stop_reason: "end_turn" } },
      { type: "message_stop" },
    ]);
    expect(t.usage()).toBeNull();
    expect(assemble(chunks).usages).toEqual([]);
  });

  it("ignores non-object data and unknown events", () => {
    const t = anthropicChat.stream(ctx);
    expect(t.push({ event: "ping", data: null })).toEqual([]);
    expect(t.push({ event: null, data: { type: "something_new" } })).toEqual([]);
    expect(t.finished()).toBe(false);
  });
});
