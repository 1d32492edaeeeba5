// The Vercel AI SDK (ai + @ai-sdk/openai + @ai-sdk/anthropic): generateText, streamText and a
// tool call, with each provider's default model API (OpenAI: Responses; .chat: Chat Completions).
import { createAnthropic } from "@ai-sdk/anthropic";
import { createOpenAI } from "@ai-sdk/openai";
import { generateText, streamText, tool } from "ai";
import { z } from "zod";

const weather = tool({
  description: "Current weather for a city",
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => ({ city, celsius: 21 }),
});
const openai = (base) => createOpenAI({ apiKey: "sk-recording-not-a-key", baseURL: `${base}/v1` });
const anthropic = (base) => createAnthropic({ apiKey: "sk-ant-recording-not-a-key", baseURL: `${base}/v1` });
const drain = async (r) => { for await (const _ of r.textStream); };

export default {
  client: "ai-sdk",
  pkg: "ai",
  extra: ["@ai-sdk/openai", "@ai-sdk/anthropic"],
  cases: {
    "openai-generate": (base) => generateText({ model: openai(base)("gpt-4.1-nano"), prompt: "Name a holiday.", maxRetries: 0 }),
    "openai-stream": (base) => drain(streamText({ model: openai(base)("gpt-4.1-nano"), prompt: "Name a holiday.", maxRetries: 0 })),
    "openai-chat-generate": (base) => generateText({ model: openai(base).chat("gpt-4.1-nano"), system: "Be brief.", prompt: "Name a holiday.", maxRetries: 0 }),
    "openai-chat-stream": (base) => drain(streamText({ model: openai(base).chat("gpt-4.1-nano"), prompt: "Name a holiday.", maxRetries: 0 })),
    "openai-chat-tool": (base) => generateText({ model: openai(base).chat("gpt-4.1-nano"), prompt: "Weather in Paris?", tools: { weather }, maxRetries: 0 }),
    "anthropic-generate": (base) => generateText({ model: anthropic(base)("claude-sonnet-4-5"), system: "Be brief.", prompt: "Name a holiday.", maxRetries: 0 }),
    "anthropic-stream": (base) => drain(streamText({ model: anthropic(base)("claude-sonnet-4-5"), prompt: "Name a holiday.", maxRetries: 0 })),
    "anthropic-tool": (base) => generateText({ model: anthropic(base)("claude-sonnet-4-5"), prompt: "Weather in Paris?", tools: { weather }, maxRetries: 0 }),
  },
};
