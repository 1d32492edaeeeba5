import { describe, expect, it } from "vitest";
import openaiText from "../../../test/fixtures/providers/openai/chat/openai-text.json";
import deepseekTool from "../../../test/fixtures/providers/others/deepseek/deepseek-tool-call.json";
import deepseekReasoning from "../../../test/fixtures/providers/others/deepseek/deepseek-reasoning.json";
import xaiText from "../../../test/fixtures/providers/others/xai/xai-text.json";
import xaiTool from "../../../test/fixtures/providers/others/xai/xai-tool-call.json";
import { readOpenAIUsage } from "../../providers/openai-compatible/usage";
import type { OpenAIChatCompletion } from "../../providers/transform";
import { toAnthropicMessage } from "./from-openai";
import { OPENAI_QUIRKS, XAI_QUIRKS, ctx, usage } from "../../../test/helpers/anthropic-surface";

const completion = (c: unknown) => c as OpenAIChatCompletion;
const settled = (c: { usage: Record<string, unknown> }, quirks = OPENAI_QUIRKS) => readOpenAIUsage(c.usage, quirks)!;

describe("toAnthropicMessage on recorded completions", () => {
  it("openai-text.json: one text block, end_turn, 16/363", () => {
    const m = toAnthropicMessage(completion(openaiText), settled(openaiText), ctx);
    expect(m).toEqual({
      id: "gen-test-123", type: "message", role: "assistant", model: ctx.model,
      content: [{ type: "text", text: openaiText.choices[0]!.message.content }],
      stop_reason: "end_turn", stop_sequence: null,
      usage: { input_tokens: 16, output_tokens: 363, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
  });

  it("deepseek-tool-call.json: thinking (empty signature) + tool_use with parsed input; empty content dropped; 339 (320 cached) / 92", () => {
    const m = toAnthropicMessage(completion(deepseekTool), settled(deepseekTool), ctx);
    const msg = deepseekTool.choices[0]!.message;
    expect(m.content).toEqual([
      { type: "thinking", thinking: msg.reasoning_content, signature: "" },
      { type: "tool_use", id: "call_00_9V0vrf86Pc9aelHCJMZqnJBo", name: "weather", input: JSON.parse(msg.tool_calls[0]!.function.arguments) },
    ]);
    expect((m.content[1] as { input: unknown }).input).toEqual({ location: "San Francisco" });
    expect(m.stop_reason).toBe("tool_use");
    expect(m.usage).toEqual({ input_tokens: 19, output_tokens: 92, cache_creation_input_tokens: 0, cache_read_input_tokens: 320 });
  });

  it("deepseek-reasoning.json: thinking then text; 18/345", () => {
    const m = toAnthropicMessage(completion(deepseekReasoning), settled(deepseekReasoning), ctx);
    expect(m.content.map((b) => b.type)).toEqual(["thinking", "text"]);
    expect(m.content[1]).toEqual({ type: "text", text: deepseekReasoning.choices[0]!.message.content });
    expect(m.usage).toEqual({ input_tokens: 18, output_tokens: 345, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
  });

  it("xai-text.json: reasoning billed as output (2 + 320); cached 2 of 12", () => {
    const m = toAnthropicMessage(completion(xaiText), settled(xaiText, XAI_QUIRKS), ctx);
    expect(m.content.map((b) => b.type)).toEqual(["thinking", "text"]);
    expect(m.stop_reason).toBe("end_turn");
    expect(m.usage).toEqual({ input_tokens: 10, output_tokens: 322, cache_creation_input_tokens: 0, cache_read_input_tokens: 2 });
  });

  it("xai-tool-call.json: thinking + tool_use; 307 (244 cached) / 26 + 255", () => {
    const m = toAnthropicMessage(completion(xaiTool), settled(xaiTool, XAI_QUIRKS), ctx);
    expect(m.content.map((b) => b.type)).toEqual(["thinking", "tool_use"]);
    expect(m.content[1]).toEqual({ type: "tool_use", id: "call_46427107", name: "weather", input: { location: "San Francisco" } });
    expect(m.stop_reason).toBe("tool_use");
    expect(m.usage).toEqual({ input_tokens: 63, output_tokens: 281, cache_creation_input_tokens: 0, cache_read_input_tokens: 244 });
  });
});

const make = (message: Record<string, unknown>, finish: string | null = "stop") => completion({
  id: "x", object: "chat.completion", created: 1, model: "m",
  choices: [{ index: 0, message: { role: "assistant", content: null, ...message }, finish_reason: finish, logprobs: null }],
});
const toolCall = (id: string, args: string) => ({ id, type: "function", function: { name: "f", arguments: args } });

describe("toAnthropicMessage rules", () => {
  it("tool arguments: \"{}\" and \"\" → {}; unparseable or non-object → {}; a missing id gets a stable one", () => {
    const m = toAnthropicMessage(make({ tool_calls: [toolCall("a", "{}"), toolCall("b", ""), toolCall("c", "{oops"), toolCall("d", "[1,2]"), toolCall("", "{\"x\":1}")] }, "tool_calls"), usage(1, 1), ctx);
    expect(m.content).toEqual([
      { type: "tool_use", id: "a", name: "f", input: {} },
      { type: "tool_use", id: "b", name: "f", input: {} },
      { type: "tool_use", id: "c", name: "f", input: {} },
      { type: "tool_use", id: "d", name: "f", input: {} },
      { type: "tool_use", id: "toolu_gen-test-123_4", name: "f", input: { x: 1 } },
    ]);
  });

  it("finish reasons: length → max_tokens, content_filter → refusal, null → end_turn, tool calls after \"stop\" → tool_use", () => {
    const stop = (finish: string | null, message: Record<string, unknown> = { content: "x" }) => toAnthropicMessage(make(message, finish), usage(1, 1), ctx).stop_reason;
    expect(stop("stop")).toBe("end_turn");
    expect(stop("length")).toBe("max_tokens");
    expect(stop("content_filter")).toBe("refusal");
    expect(stop(null)).toBe("end_turn");
    expect(stop("tool_calls", { content: "" })).toBe("end_turn");
    expect(stop("stop", { tool_calls: [toolCall("a", "{}")] })).toBe("tool_use");
    expect(stop("length", { tool_calls: [toolCall("a", "{\"x")] })).toBe("max_tokens");
  });

  it("a refusal becomes the text, with stop_reason refusal; an empty answer has no blocks", () => {
    const refused = toAnthropicMessage(make({ refusal: "I can't help with that." }), usage(1, 1), ctx);
    expect(refused.content).toEqual([{ type: "text", text: "I can't help with that." }]);
    expect(refused.stop_reason).toBe("refusal");
    expect(toAnthropicMessage(make({ content: "" }), usage(1, 0), ctx).content).toEqual([]);
    expect(toAnthropicMessage(completion({ id: "x", object: "chat.completion", created: 1, model: "m", choices: [] }), usage(1, 0), ctx).content).toEqual([]);
  });

  it("`reasoning` (another provider spelling) also becomes a thinking block", () => {
    expect(toAnthropicMessage(make({ reasoning: "hmm", content: "ok" }), usage(1, 1), ctx).content).toEqual([
      { type: "thinking", thinking: "hmm", signature: "" },
      { type: "text", text: "ok" },
    ]);
  });

  it("usage: input_tokens excludes cache reads and writes, never below 0", () => {
    expect(toAnthropicMessage(make({ content: "x" }), usage(1000, 7, 600, 300, 3), ctx).usage)
      .toEqual({ input_tokens: 100, output_tokens: 7, cache_creation_input_tokens: 300, cache_read_input_tokens: 600 });
    expect(toAnthropicMessage(make({ content: "x" }), usage(5, 1, 5, 5), ctx).usage.input_tokens).toBe(0);
  });
});
