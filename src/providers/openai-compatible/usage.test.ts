import { describe, expect, it } from "vitest";
import deepseekTool from "../../../test/fixtures/providers/others/deepseek/deepseek-tool-call.json";
import xaiText from "../../../test/fixtures/providers/others/xai/xai-text.json";
import openaiText from "../../../test/fixtures/providers/openai/chat/openai-text.json";
import groqChunks from "../../../test/fixtures/providers/others/groq/groq-tool-call.chunks.txt?raw";
import { readOpenAIUsage } from "./usage";

const plain = { maxTokensField: "max_tokens", reasoningExcludedFromCompletion: false } as const;
const xai = { ...plain, reasoningExcludedFromCompletion: true } as const;

describe("readOpenAIUsage on recorded responses", () => {
  it("OpenAI: prompt includes cached, completion includes reasoning", () => {
    expect(readOpenAIUsage(openaiText.usage, plain)).toEqual({ promptTokens: 16, completionTokens: 363, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
  });

  it("DeepSeek: cached prompt tokens and reasoning inside completion", () => {
    expect(readOpenAIUsage(deepseekTool.usage, plain)).toEqual({ promptTokens: 339, completionTokens: 92, cachedTokens: 320, cacheWriteTokens: 0, reasoningTokens: 48 });
  });

  it("xAI: reasoning tokens are outside completion_tokens and are added as billable output", () => {
    expect(readOpenAIUsage(xaiText.usage, xai)).toEqual({ promptTokens: 12, completionTokens: 322, cachedTokens: 2, cacheWriteTokens: 0, reasoningTokens: 320 });
  });

  it("Groq: usage on the finish chunk is read once (x_groq.usage is ignored)", () => {
    const chunks = groqChunks.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l) as { usage?: unknown });
    const withUsage = chunks.filter((c) => c.usage);
    expect(withUsage).toHaveLength(1);
    expect(readOpenAIUsage(withUsage[0]!.usage as Record<string, unknown>, plain)).toMatchObject({ promptTokens: 210, completionTokens: 15 });
  });

  it("rejects missing, negative and non-integer usage (the missing-usage rule then applies)", () => {
    expect(readOpenAIUsage(null, plain)).toBeNull();
    expect(readOpenAIUsage({}, plain)).toBeNull();
    expect(readOpenAIUsage({ prompt_tokens: -50, completion_tokens: -10 }, plain)).toBeNull();
    expect(readOpenAIUsage({ prompt_tokens: 1.5, completion_tokens: 1 }, plain)).toBeNull();
    expect(readOpenAIUsage({ prompt_tokens: "12", completion_tokens: 1 }, plain)).toBeNull();
  });
});
