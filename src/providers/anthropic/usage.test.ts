import { describe, expect, it } from "vitest";
import text from "../../../test/fixtures/providers/anthropic/anthropic-text.json";
import opus5 from "../../../test/fixtures/providers/anthropic/anthropic-claude-opus-5-reasoning-high.1.json";
import errorBody from "../../../test/fixtures/providers/anthropic/error-message.json";
import { errorMessage } from "./index";
import { mergeUsage, readAnthropicUsage, toOpenAIUsage } from "./usage";

describe("readAnthropicUsage", () => {
  it("reads recorded usage", () => {
    expect(readAnthropicUsage(text.usage)).toEqual({ promptTokens: 12, completionTokens: 29, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
    expect(readAnthropicUsage(opus5.usage)).toEqual({ promptTokens: 51, completionTokens: 1699, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 139 });
  });

  it("adds cache writes and reads to the prompt; null cache fields count as 0", () => {
    expect(readAnthropicUsage({ input_tokens: 6, cache_creation_input_tokens: 3337, cache_read_input_tokens: 6289, output_tokens: 198 }))
      .toEqual({ promptTokens: 9632, completionTokens: 198, cachedTokens: 6289, cacheWriteTokens: 3337, reasoningTokens: 0 });
    expect(readAnthropicUsage({ input_tokens: 3, cache_creation_input_tokens: null, cache_read_input_tokens: null, output_tokens: 1 })).toMatchObject({ promptTokens: 3 });
  });

  it("rejects missing, negative, fractional and non-numeric figures", () => {
    expect(readAnthropicUsage(null)).toBeNull();
    expect(readAnthropicUsage({})).toBeNull();
    expect(readAnthropicUsage({ input_tokens: 5 })).toBeNull();
    expect(readAnthropicUsage({ input_tokens: -1, output_tokens: 1 })).toBeNull();
    expect(readAnthropicUsage({ input_tokens: 1.5, output_tokens: 1 })).toBeNull();
    expect(readAnthropicUsage({ input_tokens: "5", output_tokens: 1 })).toBeNull();
    expect(readAnthropicUsage({ input_tokens: 5, output_tokens: 1, cache_read_input_tokens: -3 })).toBeNull();
  });

  it("reasoning never exceeds completion", () => {
    expect(readAnthropicUsage({ input_tokens: 1, output_tokens: 10, output_tokens_details: { thinking_tokens: 50 } })!.reasoningTokens).toBe(10);
  });
});

describe("mergeUsage", () => {
  it("message_delta figures replace message_start ones field by field; absent or null fields are kept", () => {
    const start = { input_tokens: 2, cache_creation_input_tokens: 3068, cache_read_input_tokens: 0, output_tokens: 69 };
    expect(mergeUsage(start, { input_tokens: 6, cache_creation_input_tokens: 3337, cache_read_input_tokens: 6289, output_tokens: 198 }))
      .toEqual({ input_tokens: 6, cache_creation_input_tokens: 3337, cache_read_input_tokens: 6289, output_tokens: 198 });
    expect(mergeUsage(start, { output_tokens: 80, cache_read_input_tokens: null })).toEqual({ ...start, output_tokens: 80 });
    expect(mergeUsage(null, { output_tokens: 3, output_tokens_details: { thinking_tokens: 1 } })).toEqual({ output_tokens: 3, output_tokens_details: { thinking_tokens: 1 } });
    expect(mergeUsage(start, undefined)).toBe(start);
  });
});

describe("toOpenAIUsage", () => {
  it("builds OpenAI usage with details", () => {
    expect(toOpenAIUsage({ promptTokens: 10, completionTokens: 5, cachedTokens: 4, cacheWriteTokens: 2, reasoningTokens: 3 })).toEqual({
      prompt_tokens: 10, completion_tokens: 5, total_tokens: 15,
      prompt_tokens_details: { cached_tokens: 4, cache_write_tokens: 2 }, completion_tokens_details: { reasoning_tokens: 3 },
    });
  });
});

describe("errorMessage", () => {
  it("reads error-message.json (HTTP 400)", () => {
    expect(errorMessage(errorBody)).toEqual({
      type: "invalid_request_error",
      message: "The message up to and including the first cache-control block must be at least 1024 tokens. Found: 939.",
    });
  });

  it("accepts the JSON text, and returns null for other shapes", () => {
    expect(errorMessage(JSON.stringify(errorBody))).toMatchObject({ type: "invalid_request_error" });
    expect(errorMessage('{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}')).toEqual({ type: "overloaded_error", message: "Overloaded" });
    for (const b of [null, "not json", "{}", { error: "x" }, { error: { type: 1, message: "m" } }, { error: { message: "m" } }]) expect(errorMessage(b)).toBeNull();
  });
});
