// @anthropic-ai/sdk: create, stream, a tool round trip and countTokens.
import Anthropic from "@anthropic-ai/sdk";

const model = "claude-sonnet-4-5";
const client = (base) => new Anthropic({ apiKey: "sk-ant-recording-not-a-key", baseURL: base, maxRetries: 0 });
const tools = [{
  name: "get_weather", description: "Current weather for a city",
  input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
}];

export default {
  client: "anthropic-node",
  pkg: "@anthropic-ai/sdk",
  cases: {
    async create(base) {
      await client(base).messages.create({ model, max_tokens: 256, system: "Be brief.", messages: [{ role: "user", content: "Name a holiday." }] });
    },
    async stream(base) {
      const s = client(base).messages.stream({ model, max_tokens: 256, messages: [{ role: "user", content: "Name a holiday." }] });
      await s.finalMessage();
    },
    async tools(base) {
      const c = client(base);
      const messages = [{ role: "user", content: "Weather in Paris?" }];
      const first = await c.messages.create({ model, max_tokens: 512, tools, messages });
      messages.push({ role: "assistant", content: first.content });
      const use = first.content.find((b) => b.type === "tool_use");
      if (!use) throw new Error("no tool_use");
      messages.push({ role: "user", content: [{ type: "tool_result", tool_use_id: use.id, content: "21°C, sunny" }] });
      await c.messages.create({ model, max_tokens: 512, tools, messages });
    },
    async "count-tokens"(base) {
      await client(base).messages.countTokens({ model, tools, messages: [{ role: "user", content: "Weather in Paris?" }] });
    },
  },
};
