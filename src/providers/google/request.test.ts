import { describe, expect, it } from "vitest";
import { ApiError } from "../../errors";
import { chatCompletionSchema, type ChatCompletionRequest } from "../../wire/chat";
import { ctx } from "../../../test/helpers/google-provider";
import { geminiChat } from "./index";
import { needsSignatureSentinel } from "./request";

/** Validates through the real request schema first, as the gateway does. */
const parse = (r: Record<string, unknown>): ChatCompletionRequest => chatCompletionSchema.parse({ model: "google/gemini-3-pro", ...r });
const build = (r: Record<string, unknown>, c = ctx) => geminiChat.request(parse(r), c);
const body = (r: Record<string, unknown>, c = ctx) => build(r, c).body as Record<string, any>;
const user = (content: unknown = "Hi") => ({ role: "user", content });

function rejects(r: Record<string, unknown>, param: string) {
  let err: unknown;
  try { build(r); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(ApiError);
  const e = err as ApiError;
  expect(e.status).toBe(400);
  expect(e.code).toBe("unsupported_parameter");
  expect(e.type).toBe("invalid_request_error");
  expect(e.options.param).toBe(param);
  expect(e.message.length).toBeGreaterThan(10);
}

describe("request path and headers", () => {
  it("non-stream and stream paths; no auth header", () => {
    expect(build({ messages: [user()] })).toMatchObject({ path: "/models/gemini-3-pro-preview:generateContent", headers: {} });
    expect(build({ messages: [user()], stream: true, stream_options: { include_usage: true } })).toMatchObject({ path: "/models/gemini-3-pro-preview:streamGenerateContent?alt=sse", headers: {} });
  });

  it("a minimal request is just contents", () => {
    expect(body({ messages: [user("Hello")] })).toEqual({ contents: [{ role: "user", parts: [{ text: "Hello" }] }] });
  });
});

describe("messages → contents", () => {
  it("system and developer messages → systemInstruction; user/assistant → user/model", () => {
    expect(body({ messages: [
      { role: "system", content: "Be brief." },
      { role: "developer", content: [{ type: "text", text: "Use metric." }] },
      user("Weather?"),
      { role: "assistant", content: "Sunny." },
      user("Tomorrow?"),
    ] })).toEqual({
      systemInstruction: { parts: [{ text: "Be brief." }, { text: "Use metric." }] },
      contents: [
        { role: "user", parts: [{ text: "Weather?" }] },
        { role: "model", parts: [{ text: "Sunny." }] },
        { role: "user", parts: [{ text: "Tomorrow?" }] },
      ],
    });
  });

  it("consecutive same-role turns are merged; names, refusal and reasoning_content are dropped; empty text skipped", () => {
    expect(body({ messages: [
      { role: "user", content: "a", name: "ann" },
      { role: "user", content: [{ type: "text", text: "b" }, { type: "text", text: "" }] },
      { role: "assistant", content: "c", reasoning_content: "thinking", refusal: null },
      { role: "assistant", content: null },
      { role: "assistant", content: [{ type: "text", text: "d" }] },
      { role: "system", content: "late system" },
      user("e"),
    ] })).toEqual({
      systemInstruction: { parts: [{ text: "late system" }] },
      contents: [
        { role: "user", parts: [{ text: "a" }, { text: "b" }] },
        { role: "model", parts: [{ text: "c" }, { text: "d" }] },
        { role: "user", parts: [{ text: "e" }] },
      ],
    });
  });

  it("images: base64 data URLs → inlineData, http(s) URLs → fileData with an inferred mime type", () => {
    const parts = body({ messages: [user([
      { type: "text", text: "Compare" },
      { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=", detail: "high" } },
      { type: "image_url", image_url: { url: "https://example.com/cat.webp?size=2" } },
      { type: "image_url", image_url: { url: "https://example.com/photo" } },
      { type: "image_url", image_url: { url: "HTTP://example.com/doc.PDF" } },
      { type: "image_url", image_url: { url: "gs://bucket/img.png" } },
    ])] }).contents[0].parts;
    expect(parts).toEqual([
      { text: "Compare" },
      { inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" } },
      { fileData: { mimeType: "image/webp", fileUri: "https://example.com/cat.webp?size=2" } },
      { fileData: { mimeType: "image/jpeg", fileUri: "https://example.com/photo" } },
      { fileData: { mimeType: "application/pdf", fileUri: "HTTP://example.com/doc.PDF" } },
      { fileData: { mimeType: "image/png", fileUri: "gs://bucket/img.png" } },
    ]);
  });

  it("audio and inline files", () => {
    const parts = body({ messages: [user([
      { type: "input_audio", input_audio: { data: "UklGRg==", format: "wav" } },
      { type: "input_audio", input_audio: { data: "SUQz", format: "mp3" } },
      { type: "file", file: { file_data: "data:application/pdf;base64,JVBERi0=", filename: "a.pdf" } },
      { type: "file", file: { file_data: "iVBORw0KGgo=", filename: "pic.png" } },
    ])] }).contents[0].parts;
    expect(parts).toEqual([
      { inlineData: { mimeType: "audio/wav", data: "UklGRg==" } },
      { inlineData: { mimeType: "audio/mp3", data: "SUQz" } },
      { inlineData: { mimeType: "application/pdf", data: "JVBERi0=" } },
      { inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" } },
    ]);
  });

  it("unusable media are 400s naming the field", () => {
    rejects({ messages: [user([{ type: "image_url", image_url: { url: "data:image/png,rawbytes" } }])] }, "messages[0].content[0].image_url.url");
    rejects({ messages: [user([{ type: "image_url", image_url: { url: "ftp://x/y.png" } }])] }, "messages[0].content[0].image_url.url");
    rejects({ messages: [user([{ type: "file", file: { file_id: "file-123" } }])] }, "messages[0].content[0].file.file_id");
    rejects({ messages: [{ role: "system", content: [{ type: "image_url", image_url: { url: "https://x/y.png" } }] }, user()] }, "messages[0].content[0]");
    rejects({ messages: [{ role: "system", content: "only a system prompt" }] }, "messages");
  });

  it("tool calls and results round-trip: functionCall parts, functionResponse named from the call id", () => {
    const b = body({
      tools: [{ type: "function", function: { name: "weather", parameters: { type: "object", properties: { location: { type: "string" } } } } }],
      messages: [
        user("Weather in SF and LA?"),
        { role: "assistant", content: "Checking.", tool_calls: [
          { id: "call_1", type: "function", function: { name: "weather", arguments: "{\"location\":\"SF\"}" } },
          { id: "call_2", type: "function", function: { name: "weather", arguments: "" } },
        ] },
        { role: "tool", tool_call_id: "call_1", content: "{\"temp\":18}" },
        { role: "tool", tool_call_id: "call_2", content: [{ type: "text", text: "sunny, " }, { type: "text", text: "25C" }] },
        user("Thanks"),
      ],
    });
    expect(b.contents).toEqual([
      { role: "user", parts: [{ text: "Weather in SF and LA?" }] },
      { role: "model", parts: [
        { text: "Checking." },
        { functionCall: { name: "weather", args: { location: "SF" } }, thoughtSignature: "skip_thought_signature_validator" },
        { functionCall: { name: "weather", args: {} } },
      ] },
      { role: "user", parts: [
        { functionResponse: { name: "weather", response: { result: { temp: 18 } } } },
        { functionResponse: { name: "weather", response: { result: "sunny, 25C" } } },
        { text: "Thanks" },
      ] },
    ]);
  });

  it("the thought-signature sentinel is only added for Gemini 3 and later", () => {
    const messages = [user(), { role: "assistant", tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "{}" } }] }, { role: "tool", tool_call_id: "c", content: "ok" }];
    expect(body({ messages }, { ...ctx, upstreamModel: "gemini-2.5-flash" }).contents[1].parts).toEqual([{ functionCall: { name: "f", args: {} } }]);
    expect(needsSignatureSentinel("gemini-3-flash-preview")).toBe(true);
    expect(needsSignatureSentinel("gemini-3.1-pro-preview")).toBe(true);
    expect(needsSignatureSentinel("models/gemini-10-ultra")).toBe(true);
    expect(needsSignatureSentinel("gemini-2.5-pro")).toBe(false);
    expect(needsSignatureSentinel("gemma-3-27b-it")).toBe(false);
  });

  it("bad tool history is a 400", () => {
    rejects({ messages: [user(), { role: "assistant", tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "[1]" } }] }] }, "messages[1].tool_calls[0].function.arguments");
    rejects({ messages: [user(), { role: "assistant", tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "{oops" } }] }] }, "messages[1].tool_calls[0].function.arguments");
    rejects({ messages: [user(), { role: "tool", tool_call_id: "missing", content: "x" }] }, "messages[1].tool_call_id");
  });
});

describe("tools and tool_choice", () => {
  const tools = [
    { type: "function", function: { name: "weather", description: "Get weather", strict: true, parameters: { type: "object", properties: { location: { type: "string" } }, required: ["location"], additionalProperties: false, $schema: "x" } } },
    { type: "function", function: { name: "now", parameters: { type: "object", properties: {} } } },
  ];

  it("tools → functionDeclarations with cleaned parameters", () => {
    expect(body({ messages: [user()], tools, parallel_tool_calls: false }).tools).toEqual([{ functionDeclarations: [
      { name: "weather", description: "Get weather", parameters: { type: "object", properties: { location: { type: "string" } }, required: ["location"] } },
      { name: "now" },
    ] }]);
  });

  it.each([
    ["auto", { mode: "AUTO" }],
    ["none", { mode: "NONE" }],
    ["required", { mode: "ANY" }],
    [{ type: "function", function: { name: "now" } }, { mode: "ANY", allowedFunctionNames: ["now"] }],
  ])("tool_choice %j", (choice, config) => {
    expect(body({ messages: [user()], tools, tool_choice: choice }).toolConfig).toEqual({ functionCallingConfig: config });
  });

  it("no tool_choice → no toolConfig; auto/none without tools are dropped", () => {
    expect(body({ messages: [user()], tools }).toolConfig).toBeUndefined();
    expect(body({ messages: [user()], tool_choice: "none" })).toEqual({ contents: [{ role: "user", parts: [{ text: "Hi" }] }] });
  });

  it("tool_choice that cannot be honoured is a 400", () => {
    rejects({ messages: [user()], tool_choice: "required" }, "tool_choice");
    rejects({ messages: [user()], tools, tool_choice: { type: "function", function: { name: "ghost" } } }, "tool_choice");
  });
});

describe("generationConfig", () => {
  it("sampling, stop, penalties, seed", () => {
    expect(body({ messages: [user()], temperature: 1.7, top_p: 0.9, stop: ["END", ""], seed: 42, presence_penalty: 0.5, frequency_penalty: -0.5 }).generationConfig).toEqual({
      temperature: 1.7, topP: 0.9, stopSequences: ["END"], seed: 42, presencePenalty: 0.5, frequencyPenalty: -0.5,
    });
    expect(body({ messages: [user()], stop: "\n\n", temperature: 0 }).generationConfig).toEqual({ stopSequences: ["\n\n"], temperature: 0 });
  });

  it("max_completion_tokens beats max_tokens beats ctx.outputCap", () => {
    const capped = { ...ctx, outputCap: 4096 };
    expect(body({ messages: [user()], max_tokens: 100, max_completion_tokens: 200 }, capped).generationConfig).toEqual({ maxOutputTokens: 200 });
    expect(body({ messages: [user()], max_tokens: 100 }, capped).generationConfig).toEqual({ maxOutputTokens: 100 });
    expect(body({ messages: [user()] }, capped).generationConfig).toEqual({ maxOutputTokens: 4096 });
    expect(body({ messages: [user()], max_tokens: null }).generationConfig).toBeUndefined();
  });

  it("response_format json_object and json_schema", () => {
    expect(body({ messages: [user()], response_format: { type: "text" } }).generationConfig).toBeUndefined();
    expect(body({ messages: [user()], response_format: { type: "json_object" } }).generationConfig).toEqual({ responseMimeType: "application/json" });
    const schema = { $schema: "x", type: "object", properties: { a: { type: "string" } }, required: ["a"], additionalProperties: false };
    expect(body({ messages: [user()], response_format: { type: "json_schema", json_schema: { name: "out", strict: true, schema } } }).generationConfig).toEqual({
      responseMimeType: "application/json",
      responseJsonSchema: { type: "object", properties: { a: { type: "string" } }, required: ["a"], additionalProperties: false },
    });
    expect(body({ messages: [user()], response_format: { type: "json_schema", json_schema: { name: "out" } } }).generationConfig).toEqual({ responseMimeType: "application/json" });
  });

  it.each([["minimal", 512], ["low", 1024], ["medium", 8192], ["high", 24576]])("reasoning_effort %s → thinkingBudget %d", (effort, budget) => {
    expect(body({ messages: [user()], reasoning_effort: effort }).generationConfig).toEqual({ thinkingConfig: { thinkingBudget: budget, includeThoughts: true } });
  });

  it("harmless fields are dropped", () => {
    expect(body({
      messages: [user()], n: 1, user: "u1", metadata: { k: "v" }, store: true, service_tier: "auto", modalities: ["text"],
      logprobs: false, top_logprobs: 0, logit_bias: {}, reasoning_effort: null, temperature: null, stream: false,
    })).toEqual({ contents: [{ role: "user", parts: [{ text: "Hi" }] }] });
  });

  it("what Gemini cannot honour is a 400", () => {
    rejects({ messages: [user()], logprobs: true }, "logprobs");
    rejects({ messages: [user()], top_logprobs: 3 }, "top_logprobs");
    rejects({ messages: [user()], logit_bias: { "50256": -100 } }, "logit_bias");
  });
});
