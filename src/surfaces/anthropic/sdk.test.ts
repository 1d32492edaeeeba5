/**
 * Compatibility with the official @anthropic-ai/sdk: its request bodies pass the schema and
 * convert, and its own response/stream parsers (messages.create, messages.stream().finalMessage())
 * read what the translators produce, fed through a `fetch` that answers like the gateway would.
 */
import Anthropic, { APIError } from "@anthropic-ai/sdk";
import { describe, expect, it } from "vitest";
import openaiText from "../../../test/fixtures/providers/openai/chat/openai-text.chunks.txt?raw";
import deepseekTool from "../../../test/fixtures/providers/others/deepseek/deepseek-tool-call.chunks.txt?raw";
import deepseekToolJson from "../../../test/fixtures/providers/others/deepseek/deepseek-tool-call.json";
import xaiTool from "../../../test/fixtures/providers/others/xai/xai-tool-call.chunks.txt?raw";
import groqTool from "../../../test/fixtures/providers/others/groq/groq-tool-call.chunks.txt?raw";
import { readOpenAIUsage } from "../../providers/openai-compatible/usage";
import type { OpenAIChatCompletion } from "../../providers/transform";
import type { TokenUsage } from "../../providers/types";
import { chatCompletionSchema } from "../../wire/chat";
import { toAnthropicMessage } from "./from-openai";
import { messagesRequestSchema } from "./schema";
import { anthropicEventStream, sseFrame, PING_EVENT, type AnthropicEvent } from "./stream";
import { OPENAI_QUIRKS, XAI_QUIRKS, chunks, ctx, replay, sourceOf, streamCtx, streamUsage } from "../../../test/helpers/anthropic-surface";
import { toOpenAIRequest } from "./to-openai";

const encoder = new TextEncoder();

/** SSE bytes as a stream, cut into pieces of `size` bytes (so frames split anywhere). */
function sseBody(events: AnthropicEvent[], size = 0): ReadableStream<Uint8Array> {
  const bytes = encoder.encode(events.map(sseFrame).join(""));
  const pieces: Uint8Array[] = [];
  if (size <= 0) pieces.push(bytes);
  else for (let i = 0; i < bytes.length; i += size) pieces.push(bytes.slice(i, i + size));
  return new ReadableStream({
    start(controller) {
      for (const p of pieces) controller.enqueue(p);
      controller.close();
    },
  });
}

/** A client whose every request gets `answer`; the request bodies it sent are recorded. */
function client(answer: () => Response) {
  const bodies: unknown[] = [];
  const urls: string[] = [];
  const sdk = new Anthropic({
    apiKey: "sk-gateway-test",
    baseURL: "https://gateway.test/api",
    maxRetries: 0,
    fetch: async (url: string | URL | Request, init?: RequestInit) => {
      urls.push(String(url));
      bodies.push(JSON.parse(String(init?.body)));
      return answer();
    },
  });
  return { sdk, bodies, urls };
}

const sse = (events: AnthropicEvent[], size = 0) => () => new Response(sseBody(events, size), { headers: { "content-type": "text/event-stream" } });
const json = (body: unknown) => () => new Response(JSON.stringify(body), { headers: { "content-type": "application/json", "request-id": "gen-test-123" } });

const params = { model: "deepseek/deepseek-chat", max_tokens: 1024, messages: [{ role: "user" as const, content: "Hi" }] };

describe("@anthropic-ai/sdk reads the translated answers", () => {
  it("messages.create (non-streamed): a thinking + tool_use message from deepseek-tool-call.json", async () => {
    const u = readOpenAIUsage(deepseekToolJson.usage, OPENAI_QUIRKS)!;
    const { sdk, urls } = client(json(toAnthropicMessage(deepseekToolJson as unknown as OpenAIChatCompletion, u, ctx)));
    const msg = await sdk.messages.create(params);
    expect(urls).toEqual(["https://gateway.test/api/v1/messages"]);
    expect(msg.id).toBe("gen-test-123");
    expect(msg.stop_reason).toBe("tool_use");
    expect(msg.content.map((b) => b.type)).toEqual(["thinking", "tool_use"]);
    const tool = msg.content[1] as Anthropic.ToolUseBlock;
    expect(tool).toMatchObject({ id: "call_00_9V0vrf86Pc9aelHCJMZqnJBo", name: "weather", input: { location: "San Francisco" } });
    expect(msg.usage).toMatchObject({ input_tokens: 19, output_tokens: 92, cache_read_input_tokens: 320, cache_creation_input_tokens: 0 });
  });

  it("messages.stream().finalMessage(): openai-text stream → the full text and FINAL usage (not message_start's)", async () => {
    const list = chunks(openaiText);
    const events = replay(list, streamUsage(list));
    events.splice(2, 0, PING_EVENT);
    const { sdk, bodies } = client(sse(events, 37));
    const stream = sdk.messages.stream(params);
    let streamed = "";
    stream.on("text", (t) => { streamed += t; });
    const msg = await stream.finalMessage();
    expect((bodies[0] as { stream?: boolean }).stream).toBe(true);
    expect(msg.content).toEqual([{ type: "text", text: sourceOf(list).text }]);
    expect(streamed).toBe(sourceOf(list).text);
    expect(msg.stop_reason).toBe("end_turn");
    expect(msg.usage).toMatchObject({ input_tokens: 16, output_tokens: 300, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 });
  });

  const toolStreams: Array<[string, string, typeof OPENAI_QUIRKS, Record<string, unknown>, string[]]> = [
    ["deepseek-tool-call", deepseekTool, OPENAI_QUIRKS, { input_tokens: 19, output_tokens: 83, cache_read_input_tokens: 320 }, ["thinking", "tool_use"]],
    ["xai-tool-call", xaiTool, XAI_QUIRKS, { input_tokens: 1, output_tokens: 253, cache_read_input_tokens: 306 }, ["thinking", "tool_use"]],
    ["groq-tool-call", groqTool, OPENAI_QUIRKS, { input_tokens: 210, output_tokens: 15, cache_read_input_tokens: 0 }, ["tool_use"]],
  ];
  for (const [name, raw, quirks, usage, types] of toolStreams) {
    it(`messages.stream().finalMessage(): ${name} → tool_use with the recorded input`, async () => {
      const list = chunks(raw);
      const { sdk } = client(sse(replay(list, streamUsage(list, quirks)), 11));
      const msg = await sdk.messages.stream(params).finalMessage();
      expect(msg.content.map((b) => b.type)).toEqual(types);
      const src = sourceOf(list);
      const tool = msg.content.at(-1) as Anthropic.ToolUseBlock;
      expect(tool.input).toEqual(JSON.parse(src.tools[0]!.arguments));
      expect(tool.name).toBe("weather");
      if (types[0] === "thinking") expect((msg.content[0] as Anthropic.ThinkingBlock).thinking).toBe(src.reasoning);
      expect(msg.stop_reason).toBe("tool_use");
      expect(msg.usage).toMatchObject(usage);
    });
  }

  it("an error event makes the SDK throw an APIError carrying the message", async () => {
    const s = anthropicEventStream(streamCtx);
    const events = [...s.push(chunks(openaiText)[1]!), ...s.fail("The provider stopped responding.", "overloaded_error")];
    const { sdk } = client(sse(events));
    const err = await sdk.messages.stream(params).finalMessage().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    expect(String((err as APIError).message)).toContain("The provider stopped responding.");
    expect((err as APIError).type).toBe("overloaded_error");
  });
});

describe("@anthropic-ai/sdk request bodies pass the schema and convert", () => {
  const empty: TokenUsage = { promptTokens: 1, completionTokens: 1, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
  const answer = json(toAnthropicMessage({ id: "x", object: "chat.completion", created: 1, model: "m", choices: [] }, empty, ctx));

  it("a full-featured request (tools, history, images, thinking, cache_control, metadata)", async () => {
    const { sdk, bodies } = client(answer);
    // Sampling parameters that this SDK version no longer types, but older ones and Claude Code send.
    const sampling = { temperature: 1, top_p: 0.95, top_k: 5 };
    await sdk.messages.create({
      ...sampling,
      cache_control: { type: "ephemeral" },
      speed: "standard",
      model: "deepseek/deepseek-reasoner",
      max_tokens: 2048,
      system: [{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral" } }],
      metadata: { user_id: "u-42" },
      stop_sequences: ["###"],
      thinking: { type: "enabled", budget_tokens: 1024 },
      tool_choice: { type: "auto", disable_parallel_tool_use: true },
      tools: [{ name: "weather", description: "Weather", input_schema: { type: "object", properties: { city: { type: "string" } } }, cache_control: { type: "ephemeral" } }],
      messages: [
        { role: "user", content: [{ type: "text", text: "Weather here?" }, { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } }] },
        { role: "assistant", content: [{ type: "thinking", thinking: "Use the tool.", signature: "" }, { type: "tool_use", id: "toolu_1", name: "weather", input: { city: "Paris" } }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "Sunny", is_error: false }] },
      ],
    });
    const body = messagesRequestSchema.parse(bodies[0]);
    const chat = chatCompletionSchema.parse(toOpenAIRequest(body));
    expect(chat).toMatchObject({ reasoning_effort: "low", parallel_tool_calls: false, tool_choice: "auto", stop: ["###"], user: "u-42", max_tokens: 2048, temperature: 1, top_p: 0.95 });
    expect(chat.messages.map((m) => m.role)).toEqual(["system", "user", "assistant", "tool"]);
  });

  it("a streamed request sends stream: true, which converts to stream + include_usage", async () => {
    const { sdk, bodies } = client(sse(anthropicEventStream(streamCtx).finish(empty)));
    await sdk.messages.stream({ ...params, tool_choice: { type: "none" }, tools: [{ name: "f", input_schema: { type: "object" } }] }).finalMessage();
    const chat = toOpenAIRequest(messagesRequestSchema.parse(bodies[0]));
    expect(chat).toMatchObject({ stream: true, stream_options: { include_usage: true }, tool_choice: "none" });
  });

  it("a message echoed back from an SDK response (assistant content as received) is accepted", async () => {
    const u = readOpenAIUsage(deepseekToolJson.usage, OPENAI_QUIRKS)!;
    const first = client(json(toAnthropicMessage(deepseekToolJson as unknown as OpenAIChatCompletion, u, ctx)));
    const reply = await first.sdk.messages.create(params);
    const second = client(answer);
    await second.sdk.messages.create({
      ...params,
      messages: [...params.messages, { role: "assistant", content: reply.content }, { role: "user", content: [{ type: "tool_result", tool_use_id: (reply.content[1] as Anthropic.ToolUseBlock).id, content: "Sunny" }] }],
    });
    const chat = toOpenAIRequest(messagesRequestSchema.parse(second.bodies[0]));
    expect(chat.messages.slice(1)).toEqual([
      { role: "assistant", content: null, tool_calls: [{ id: "call_00_9V0vrf86Pc9aelHCJMZqnJBo", type: "function", function: { name: "weather", arguments: "{\"location\":\"San Francisco\"}" } }] },
      { role: "tool", tool_call_id: "call_00_9V0vrf86Pc9aelHCJMZqnJBo", content: "Sunny" },
    ]);
  });
});
