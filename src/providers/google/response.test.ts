import { describe, expect, it } from "vitest";
import textJson from "../../../test/fixtures/providers/google/google-text.json";
import toolJson from "../../../test/fixtures/providers/google/google-tool-call.json";
import { readOpenAIUsage } from "../openai-compatible/usage";
import { ctx, expectCompletionShape } from "../../../test/helpers/google-provider";
import { geminiChat } from "./index";

const openaiQuirks = { maxTokensField: "max_tokens", reasoningExcludedFromCompletion: false } as const;

describe("geminiChat.response on recorded responses", () => {
  it("google-text.json: text, stop, thoughts billed as output", () => {
    const { completion, usage } = geminiChat.response(textJson, ctx);
    expectCompletionShape(completion);
    expect(completion.choices[0]!.message.content).toBe("There are **3** r's in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.");
    expect(completion.choices[0]!.message.tool_calls).toBeUndefined();
    expect(completion.choices[0]!.message.reasoning_content).toBeUndefined();
    expect(completion.choices[0]!.finish_reason).toBe("stop");
    expect(usage).toEqual({ promptTokens: 9, completionTokens: 272, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 244 });
    expect(completion.usage).toEqual({
      prompt_tokens: 9, completion_tokens: 272, total_tokens: 281,
      prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 244 },
    });
    // The total matches Gemini's own totalTokenCount, and the gateway's OpenAI reader reads it back the same.
    expect((completion.usage as { total_tokens: number }).total_tokens).toBe(textJson.usageMetadata.totalTokenCount);
    expect(readOpenAIUsage(completion.usage, openaiQuirks)).toEqual(usage);
  });

  it("google-tool-call.json: weather(location) with a stable id and finish tool_calls", () => {
    const { completion, usage } = geminiChat.response(toolJson, ctx);
    expectCompletionShape(completion);
    const msg = completion.choices[0]!.message;
    expect(msg.content).toBeNull();
    expect(msg.tool_calls).toEqual([{ id: "call_req_abc_0", type: "function", function: { name: "weather", arguments: expect.any(String) } }]);
    expect(JSON.parse(msg.tool_calls![0]!.function.arguments)).toEqual({ location: "San Francisco" });
    expect(completion.choices[0]!.finish_reason).toBe("tool_calls");
    expect(usage).toEqual({ promptTokens: 29, completionTokens: 908, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 893 });
    expect(geminiChat.response(toolJson, ctx).completion).toEqual(completion);
    expect(geminiChat.response(toolJson, { ...ctx, requestId: "other" }).completion.choices[0]!.message.tool_calls![0]!.id).toBe("call_other_0");
  });
});

describe("geminiChat.response edge cases", () => {
  const body = (parts: unknown[], finishReason = "STOP", usageMetadata: unknown = undefined) => ({ candidates: [{ content: { role: "model", parts }, finishReason }], usageMetadata });

  it("thought parts become reasoning_content; several text parts are concatenated", () => {
    const { completion } = geminiChat.response(body([{ text: "Let me think. ", thought: true }, { text: "Hmm.", thought: true }, { text: "Hello" }, { text: ", world" }]), ctx);
    expectCompletionShape(completion);
    expect(completion.choices[0]!.message).toMatchObject({ content: "Hello, world", reasoning_content: "Let me think. Hmm." });
  });

  it("a call without args gets arguments {} and parallel calls get consecutive ids", () => {
    const { completion } = geminiChat.response(body([{ text: "Reading." }, { functionCall: { name: "read_theme" } }, { functionCall: { name: "read_screen", args: { id: "B" } } }]), ctx);
    expectCompletionShape(completion);
    expect(completion.choices[0]!.message.tool_calls).toEqual([
      { id: "call_req_abc_0", type: "function", function: { name: "read_theme", arguments: "{}" } },
      { id: "call_req_abc_1", type: "function", function: { name: "read_screen", arguments: "{\"id\":\"B\"}" } },
    ]);
    expect(completion.choices[0]!.message.content).toBe("Reading.");
    expect(completion.choices[0]!.finish_reason).toBe("tool_calls");
  });

  it.each([
    ["MAX_TOKENS", "length"], ["SAFETY", "content_filter"], ["RECITATION", "content_filter"], ["BLOCKLIST", "content_filter"],
    ["PROHIBITED_CONTENT", "content_filter"], ["SPII", "content_filter"], ["OTHER", "stop"], ["MALFORMED_FUNCTION_CALL", "stop"],
  ])("finishReason %s → %s", (reason, expected) => {
    expect(geminiChat.response(body([{ text: "x" }], reason), ctx).completion.choices[0]!.finish_reason).toBe(expected);
  });

  it("MAX_TOKENS stays length even when a call was produced", () => {
    expect(geminiChat.response(body([{ functionCall: { name: "f", args: {} } }], "MAX_TOKENS"), ctx).completion.choices[0]!.finish_reason).toBe("length");
  });

  it("a blocked prompt (no candidates) is content_filter with null content", () => {
    const { completion, usage } = geminiChat.response({ promptFeedback: { blockReason: "SAFETY" }, usageMetadata: { promptTokenCount: 12, totalTokenCount: 12 } }, ctx);
    expectCompletionShape(completion);
    expect(completion.choices[0]).toMatchObject({ finish_reason: "content_filter", message: { content: null } });
    expect(usage).toEqual({ promptTokens: 12, completionTokens: 0, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
  });

  it("cached and tool-use prompt tokens", () => {
    const { usage, completion } = geminiChat.response(body([{ text: "x" }], "STOP", { promptTokenCount: 1000, cachedContentTokenCount: 800, toolUsePromptTokenCount: 50, candidatesTokenCount: 10 }), ctx);
    expect(usage).toEqual({ promptTokens: 1050, completionTokens: 10, cachedTokens: 800, cacheWriteTokens: 0, reasoningTokens: 0 });
    expect(completion.usage).toMatchObject({ prompt_tokens: 1050, total_tokens: 1060, prompt_tokens_details: { cached_tokens: 800 } });
  });

  it("missing or malformed usage yields null usage and no usage field", () => {
    for (const meta of [undefined, { trafficType: "ON_DEMAND" }, { promptTokenCount: -1 }, { promptTokenCount: 3, candidatesTokenCount: 1.5 }, { promptTokenCount: "3" }]) {
      const { completion, usage } = geminiChat.response(body([{ text: "x" }], "STOP", meta), ctx);
      expect(usage).toBeNull();
      expect(completion.usage).toBeUndefined();
    }
  });

  it("does not crash on bodies that are not Gemini responses", () => {
    for (const b of [null, 42, "x", [], {}, { candidates: "nope" }, { candidates: [null] }, { candidates: [{ content: { parts: [null, 3, { functionCall: "x" }] } }] }]) {
      const { completion } = geminiChat.response(b, ctx);
      expectCompletionShape(completion);
      expect(completion.choices[0]!.message.content).toBeNull();
    }
  });
});
