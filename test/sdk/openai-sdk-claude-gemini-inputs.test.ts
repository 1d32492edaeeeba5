import { env } from "cloudflare:test";
import type OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { formatUsd } from "../../src/lib/money";
import { createUser, drained, openai, usageRows } from "../helpers/gateway";
import { mirrorBill } from "../helpers/mirror";

// The official openai SDK sending Claude and Gemini requests through the gateway to the stand-in's
// `mirror` scenario (test-claude-mirror, test-gemini-mirror), which replies with
// JSON.stringify({headers, body}) of what it received: so these tests read the exact upstream
// request the gateway built (see src/providers/anthropic/request.ts, src/providers/google/request.ts).
// Mirror usage is honest: 11 in, the reply's o200k count out → 11 × 1000 + out × 2000 nUSD per call.

const CREDITS = 5_000_000_000;
const bindings = env as unknown as Record<string, string>;
type Params = Omit<OpenAI.ChatCompletionCreateParamsNonStreaming, "stream" | "model">;
type Upstream = { headers: Record<string, string>; body: Record<string, unknown> };

const PROVIDERS = {
  anthropic: { model: "test-claude-mirror", authHeader: "x-api-key", key: bindings.ANTHROPIC_API_KEY!, otherAuth: ["authorization", "x-goog-api-key"] },
  google: { model: "test-gemini-mirror", authHeader: "x-goog-api-key", key: bindings.GOOGLE_API_KEY!, otherAuth: ["authorization", "x-api-key"] },
} as const;
type ProviderName = keyof typeof PROVIDERS;

/**
 * One SDK call (non-stream, or stream with include_usage) to the provider's mirror model. Checks the
 * response shape, usage and cost, and that the upstream got the provider's auth header with the
 * provider key, never the caller's key or any SDK header. Returns what the stand-in received.
 */
async function ask(provider: ProviderName, params: Params, stream: boolean): Promise<Upstream> {
  const p = PROVIDERS[provider];
  const { key, userId } = await createUser(formatUsd(CREDITS));
  const client = openai(key);
  let id: string;
  let content: string;
  let usage: (OpenAI.CompletionUsage & { cost?: number }) | null | undefined;
  if (!stream) {
    const { data, response } = await client.chat.completions.create({ ...params, model: p.model, stream: false }).withResponse();
    id = data.id;
    expect(id).toBe(response.headers.get("x-request-id"));
    expect(data.choices[0]!.finish_reason).toBe("stop");
    content = data.choices[0]!.message.content!;
    usage = data.usage;
  } else {
    const s = await client.chat.completions.create({ ...params, model: p.model, stream: true, stream_options: { include_usage: true } });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const ch of s) chunks.push(ch);
    id = chunks[0]!.id;
    expect(chunks.every((c) => c.id === id && c.object === "chat.completion.chunk")).toBe(true);
    expect(chunks.flatMap((c) => c.choices.map((x) => x.finish_reason).filter((f) => f))).toEqual(["stop"]);
    content = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    usage = chunks.find((c) => c.usage)?.usage;
  }
  expect(id).toMatch(/^gen-/);
  const { completionTokens: out, costNano: cost } = mirrorBill(content);
  expect(usage).toMatchObject({ prompt_tokens: 11, completion_tokens: out, total_tokens: 11 + out });
  expect(String(usage!.cost)).toBe(formatUsd(cost));
  await drained(userId);
  expect((await usageRows(userId))[0]).toMatchObject({ request_id: id, provider, cost_nano: cost, status: "success" });

  const upstream = JSON.parse(content) as Upstream;
  expect(upstream.headers[p.authHeader]).toBe(p.key);
  for (const h of p.otherAuth) expect(upstream.headers[h]).toBeUndefined();
  expect(content).not.toContain(key);
  expect(Object.keys(upstream.headers).filter((h) => h.startsWith("x-stainless") || h === "cookie")).toEqual([]);
  if (provider === "anthropic") {
    expect(upstream.headers["anthropic-version"]).toBe("2023-06-01");
    expect(upstream.body.stream).toBe(stream ? true : undefined);
  }
  return upstream;
}

const MODES = [false, true] as const;
const HTTPS_IMAGE = "https://example.com/images/cat.png";
const PNG_B64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/x8AAwMCAO+ip1sAAAAASUVORK5CYII=";

describe("openai SDK → Claude/Gemini: image inputs", () => {
  const params: Params = {
    messages: [{ role: "user", content: [
      { type: "text", text: "Describe both images." },
      { type: "image_url", image_url: { url: HTTPS_IMAGE, detail: "high" } },
      { type: "image_url", image_url: { url: `data:image/png;base64,${PNG_B64}` } },
    ] }],
  };
  for (const stream of MODES) {
    it(`Claude (stream ${stream}): https URL → {type:"image", source:{type:"url"}}, data URL → source {type:"base64"}`, async () => {
      const { body } = await ask("anthropic", params, stream);
      expect(body.messages).toEqual([{ role: "user", content: [
        { type: "text", text: "Describe both images." },
        { type: "image", source: { type: "url", url: HTTPS_IMAGE } },
        { type: "image", source: { type: "base64", media_type: "image/png", data: PNG_B64 } },
      ] }]);
    });
    it(`Gemini (stream ${stream}): https URL → fileData, data URL → inlineData`, async () => {
      const { body } = await ask("google", params, stream);
      expect(body.contents).toEqual([{ role: "user", parts: [
        { text: "Describe both images." },
        { fileData: { mimeType: "image/png", fileUri: HTTPS_IMAGE } },
        { inlineData: { mimeType: "image/png", data: PNG_B64 } },
      ] }]);
    });
  }
});

describe("openai SDK → Claude/Gemini: JSON mode", () => {
  const schema = {
    $schema: "http://json-schema.org/draft-07/schema#",
    type: "object",
    properties: { city: { type: "string" }, temperature: { type: "number" } },
    required: ["city", "temperature"],
    additionalProperties: false,
  };
  const { $schema: _, ...schemaWithoutMarker } = schema;
  const messages: Params["messages"] = [{ role: "user", content: "Weather in Paris as JSON." }];
  const jsonObject: Params = { messages, response_format: { type: "json_object" } };
  const jsonSchema: Params = { messages, response_format: { type: "json_schema", json_schema: { name: "weather", schema, strict: true } } };

  for (const stream of MODES) {
    it(`Claude (stream ${stream}): json_object / json_schema → the forced gateway_json_response tool`, async () => {
      const obj = (await ask("anthropic", jsonObject, stream)).body;
      expect(obj.tools).toEqual([{ name: "gateway_json_response", description: expect.any(String), input_schema: { type: "object", additionalProperties: true } }]);
      expect(obj.tool_choice).toEqual({ type: "tool", name: "gateway_json_response" });
      const sch = (await ask("anthropic", jsonSchema, stream)).body;
      expect(sch.tools).toEqual([{ name: "gateway_json_response", description: expect.stringContaining("'weather'"), input_schema: schema }]);
      expect(sch.tool_choice).toEqual({ type: "tool", name: "gateway_json_response" });
      expect(sch).not.toHaveProperty("response_format");
    });
    it(`Gemini (stream ${stream}): json_object → responseMimeType; json_schema → + responseJsonSchema without $schema`, async () => {
      const obj = (await ask("google", jsonObject, stream)).body;
      expect(obj.generationConfig).toMatchObject({ responseMimeType: "application/json" });
      expect(obj.generationConfig).not.toHaveProperty("responseJsonSchema");
      const sch = (await ask("google", jsonSchema, stream)).body;
      expect(sch.generationConfig).toMatchObject({ responseMimeType: "application/json", responseJsonSchema: schemaWithoutMarker });
      expect(sch).not.toHaveProperty("response_format");
    });
  }
});

describe("openai SDK → Claude/Gemini: system prompt, tools + tool_choice, tool results in a multi-turn conversation", () => {
  const getWeather: OpenAI.ChatCompletionTool = {
    type: "function",
    function: {
      name: "get_weather", description: "Current weather for a city", strict: true,
      parameters: { type: "object", properties: { city: { type: "string", description: "City name" } }, required: ["city"], additionalProperties: false },
    },
  };
  const conversation: Params = {
    messages: [
      { role: "system", content: "You are a terse weather bot." },
      { role: "user", content: "Weather in Paris and Rome?" },
      { role: "assistant", content: null, tool_calls: [
        { id: "call_paris.1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
        { id: "call_rome-2", type: "function", function: { name: "get_weather", arguments: '{"city":"Rome"}' } },
      ] },
      { role: "tool", tool_call_id: "call_paris.1", content: '{"temp_c":21}' },
      { role: "tool", tool_call_id: "call_rome-2", content: "sunny" },
      { role: "user", content: "And tomorrow?" },
    ],
    tools: [getWeather],
    tool_choice: { type: "function", function: { name: "get_weather" } },
  };

  for (const stream of MODES) {
    it(`Claude (stream ${stream}): top-level system, tool_use / tool_result blocks, tool_choice {type:"tool"}`, async () => {
      const { body } = await ask("anthropic", conversation, stream);
      expect(body.system).toEqual([{ type: "text", text: "You are a terse weather bot." }]);
      // Anthropic ids must match ^[a-zA-Z0-9_-]+$: "." → "_" on both the tool_use and its tool_result.
      expect(body.messages).toEqual([
        { role: "user", content: [{ type: "text", text: "Weather in Paris and Rome?" }] },
        { role: "assistant", content: [
          { type: "tool_use", id: "call_paris_1", name: "get_weather", input: { city: "Paris" } },
          { type: "tool_use", id: "call_rome-2", name: "get_weather", input: { city: "Rome" } },
        ] },
        { role: "user", content: [
          { type: "tool_result", tool_use_id: "call_paris_1", content: '{"temp_c":21}' },
          { type: "tool_result", tool_use_id: "call_rome-2", content: "sunny" },
          { type: "text", text: "And tomorrow?" },
        ] },
      ]);
      expect(body.tools).toEqual([{ name: "get_weather", description: "Current weather for a city", input_schema: getWeather.function.parameters }]);
      expect(body.tool_choice).toEqual({ type: "tool", name: "get_weather" });
    });

    it(`Gemini (stream ${stream}): systemInstruction, functionCall / functionResponse parts, toolConfig ANY + allowedFunctionNames`, async () => {
      const { body } = await ask("google", conversation, stream);
      expect(body.systemInstruction).toEqual({ parts: [{ text: "You are a terse weather bot." }] });
      expect(body.contents).toEqual([
        { role: "user", parts: [{ text: "Weather in Paris and Rome?" }] },
        { role: "model", parts: [
          { functionCall: { name: "get_weather", args: { city: "Paris" } } },
          { functionCall: { name: "get_weather", args: { city: "Rome" } } },
        ] },
        { role: "user", parts: [
          { functionResponse: { name: "get_weather", response: { result: { temp_c: 21 } } } },
          { functionResponse: { name: "get_weather", response: { result: "sunny" } } },
          { text: "And tomorrow?" },
        ] },
      ]);
      // additionalProperties (and strict) are not in Gemini's OpenAPI subset: dropped.
      expect(body.tools).toEqual([{ functionDeclarations: [{
        name: "get_weather", description: "Current weather for a city",
        parameters: { type: "object", properties: { city: { type: "string", description: "City name" } }, required: ["city"] },
      }] }]);
      expect(body.toolConfig).toEqual({ functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["get_weather"] } });
    });
  }
});
