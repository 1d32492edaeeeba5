// LangChain JS (@langchain/openai, @langchain/anthropic): invoke, stream and a bound tool call.
import { ChatAnthropic } from "@langchain/anthropic";
import { tool } from "@langchain/core/tools";
import { ChatOpenAI } from "@langchain/openai";
import { z } from "zod";

const weather = tool(async ({ city }) => `21°C in ${city}`, {
  name: "get_weather", description: "Current weather for a city", schema: z.object({ city: z.string() }),
});
const openai = (base) => new ChatOpenAI({ model: "gpt-4.1-nano", apiKey: "sk-recording-not-a-key", configuration: { baseURL: `${base}/v1` }, maxRetries: 0 });
const anthropic = (base) => new ChatAnthropic({ model: "claude-sonnet-4-5", apiKey: "sk-ant-recording-not-a-key", anthropicApiUrl: base, maxRetries: 0 });
const drain = async (s) => { for await (const _ of await s); };

export default {
  client: "langchain",
  pkg: "@langchain/core",
  extra: ["@langchain/openai", "@langchain/anthropic"],
  cases: {
    "openai-invoke": (base) => openai(base).invoke([["system", "Be brief."], ["human", "Name a holiday."]]),
    "openai-stream": (base) => drain(openai(base).stream("Name a holiday.")),
    "openai-tool": (base) => openai(base).bindTools([weather]).invoke("Weather in Paris?"),
    "anthropic-invoke": (base) => anthropic(base).invoke([["system", "Be brief."], ["human", "Name a holiday."]]),
    "anthropic-stream": (base) => drain(anthropic(base).stream("Name a holiday.")),
    "anthropic-tool": (base) => anthropic(base).bindTools([weather]).invoke("Weather in Paris?"),
  },
};
