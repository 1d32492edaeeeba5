// The openai node SDK: create, stream, .stream(), parse (zod), runTools, and OpenAI's documented
// tool loop with the returned message appended as is.
import { readFileSync } from "node:fs";
import OpenAI from "openai";
import { zodResponseFormat } from "openai/helpers/zod";
import { z } from "zod";

/** The tool of OpenAI's function-calling guide, shared with test/compat/openai-tool-loop.test.ts. */
const weatherTool = JSON.parse(readFileSync(new URL("./weather-tool.json", import.meta.url), "utf8"));
const model = "gpt-4.1-nano";
const client = (base) => new OpenAI({ apiKey: "sk-recording-not-a-key", baseURL: `${base}/v1`, maxRetries: 0 });

export default {
  client: "openai-node",
  pkg: "openai",
  cases: {
    async create(base) {
      await client(base).chat.completions.create({
        model, messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Name a holiday." }], temperature: 0.2,
      });
    },
    async stream(base) {
      const s = await client(base).chat.completions.create({
        model, messages: [{ role: "user", content: "Name a holiday." }], stream: true, stream_options: { include_usage: true },
      });
      for await (const _ of s);
    },
    async "stream-helper"(base) {
      const s = client(base).chat.completions.stream({ model, messages: [{ role: "user", content: "Name a holiday." }] });
      await s.finalChatCompletion();
    },
    async "parse-zod"(base) {
      const Event = z.object({ name: z.string(), date: z.string(), participants: z.array(z.string()) });
      const r = await client(base).chat.completions.parse({
        model, messages: [{ role: "user", content: "Alice and Bob go to a science fair on Friday." }],
        response_format: zodResponseFormat(Event, "event"),
      });
      if (!r.choices[0].message.parsed) throw new Error("parse: nothing parsed");
    },
    async "run-tools"(base) {
      const runner = client(base).chat.completions.runTools({
        model, messages: [{ role: "user", content: "Weather in Paris?" }],
        tools: [{ type: "function", function: { name: "get_weather", parameters: weatherTool.function.parameters, parse: JSON.parse, function: ({ city }) => ({ city, celsius: 21 }) } }],
      });
      await runner.finalContent();
    },
    async "tool-loop"(base) {
      // https://platform.openai.com/docs/guides/function-calling — the message is appended unchanged.
      const c = client(base);
      const messages = [{ role: "user", content: "What is the weather in Paris and in Rome?" }];
      for (let turn = 0; turn < 3; turn++) {
        const completion = await c.chat.completions.create({ model, messages, tools: [weatherTool] });
        const message = completion.choices[0].message;
        messages.push(message);
        if (!message.tool_calls?.length) return;
        for (const call of message.tool_calls) {
          const args = JSON.parse(call.function.arguments);
          messages.push({ role: "tool", tool_call_id: call.id, content: JSON.stringify({ city: args.city, celsius: 21 }) });
        }
      }
      throw new Error("tool loop did not end in three turns");
    },
  },
};
