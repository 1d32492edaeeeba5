import { describe, expect, it } from "vitest";
import { ApiError } from "../../errors";
import type { TranslatableChatRequest as ChatCompletionRequest } from "../chat-policy";
import { convertMessages, toolId } from "./messages";

type Messages = ChatCompletionRequest["messages"];
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

function rejects(messages: Messages, param: string) {
  try {
    convertMessages(messages);
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).status).toBe(400);
    expect((e as ApiError).code).toBe("unsupported_parameter");
    expect((e as ApiError).options.param).toBe(param);
    return;
  }
  throw new Error("expected a 400");
}

describe("convertMessages: system prompts", () => {
  it("system and developer messages, wherever they are, become top-level system blocks in order", () => {
    const out = convertMessages([
      { role: "system", content: "You are terse." },
      { role: "developer", content: [{ type: "text", text: "Answer in French." }, { type: "text", text: "No emoji." }] },
      { role: "user", content: "Hi" },
      { role: "system", content: "Late instruction.", name: "ops" },
    ]);
    expect(out.system).toEqual([
      { type: "text", text: "You are terse." },
      { type: "text", text: "Answer in French." },
      { type: "text", text: "No emoji." },
      { type: "text", text: "Late instruction." },
    ]);
    expect(out.messages).toEqual([{ role: "user", content: [{ type: "text", text: "Hi" }] }]);
  });

  it("an image in a system message is a 400; only system messages is a 400", () => {
    rejects([{ role: "system", content: [{ type: "image_url", image_url: { url: "https://x/a.png" } }] }, { role: "user", content: "x" }], "messages[0].content[0]");
    rejects([{ role: "system", content: "only" }], "messages");
  });
});

describe("convertMessages: multi-turn", () => {
  it("keeps alternating turns and merges consecutive same-role turns", () => {
    const out = convertMessages([
      { role: "user", content: "One" },
      { role: "user", content: [{ type: "text", text: "Two" }] },
      { role: "assistant", content: "Three" },
      { role: "assistant", content: [{ type: "text", text: "Four" }] },
      { role: "user", content: "Five", name: "bob" },
    ]);
    expect(out.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "One" }, { type: "text", text: "Two" }] },
      { role: "assistant", content: [{ type: "text", text: "Three" }, { type: "text", text: "Four" }] },
      { role: "user", content: [{ type: "text", text: "Five" }] },
    ]);
  });

  it("drops empty messages and empty text; assistant reasoning_content is dropped; refusal is kept as text", () => {
    const out = convertMessages([
      { role: "user", content: "Q" },
      { role: "assistant", content: "", reasoning_content: "secret thoughts" },
      { role: "assistant", content: null, refusal: "I can't help with that." },
      { role: "user", content: [{ type: "text", text: "" }, { type: "text", text: "Why?" }] },
    ]);
    expect(out.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "Q" }] },
      { role: "assistant", content: [{ type: "text", text: "I can't help with that." }] },
      { role: "user", content: [{ type: "text", text: "Why?" }] },
    ]);
    expect(JSON.stringify(out)).not.toContain("secret thoughts");
  });

  it("a final assistant message is kept (Anthropic prefill)", () => {
    const out = convertMessages([{ role: "user", content: "JSON please" }, { role: "assistant", content: "{" }]);
    expect(out.messages.at(-1)).toEqual({ role: "assistant", content: [{ type: "text", text: "{" }] });
  });
});

describe("convertMessages: images and files", () => {
  it("image URLs → url source; base64 data URLs → base64 source with media type; detail dropped", () => {
    const out = convertMessages([{
      role: "user",
      content: [
        { type: "text", text: "Compare" },
        { type: "image_url", image_url: { url: "https://example.com/cat.jpg", detail: "high" } },
        { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } },
        { type: "image_url", image_url: { url: `data:IMAGE/WEBP;charset=binary;base64,${PNG}` } },
      ],
    }]);
    expect(out.messages[0]!.content).toEqual([
      { type: "text", text: "Compare" },
      { type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } },
      { type: "image", source: { type: "base64", media_type: "image/png", data: PNG } },
      { type: "image", source: { type: "base64", media_type: "image/webp", data: PNG } },
    ]);
  });

  it("unsupported image types, non-base64 data URLs and other schemes are 400s", () => {
    const img = (url: string): Messages => [{ role: "user", content: [{ type: "image_url", image_url: { url } }] }];
    rejects(img(`data:image/tiff;base64,${PNG}`), "messages[0].content[0].image_url.url");
    rejects(img("data:image/png,rawbytes"), "messages[0].content[0].image_url.url");
    rejects(img("ftp://example.com/a.png"), "messages[0].content[0].image_url.url");
  });

  it("inline PDFs → document blocks; file_id, other file types and audio are 400s", () => {
    const out = convertMessages([{ role: "user", content: [{ type: "file", file: { file_data: "data:application/pdf;base64,JVBERi0=", filename: "a.pdf" } }] }]);
    expect(out.messages[0]!.content).toEqual([{ type: "document", source: { type: "base64", media_type: "application/pdf", data: "JVBERi0=" }, title: "a.pdf" }]);
    rejects([{ role: "user", content: [{ type: "file", file: { file_id: "file-abc" } }] }], "messages[0].content[0].file");
    rejects([{ role: "user", content: [{ type: "file", file: { file_data: "data:text/csv;base64,YQ==" } }] }], "messages[0].content[0].file");
    rejects([{ role: "user", content: [{ type: "input_audio", input_audio: { data: "AAA", format: "wav" } }] }], "messages[0].content[0]");
  });

  it("images in assistant messages are a 400", () => {
    rejects([{ role: "user", content: "x" }, { role: "assistant", content: [{ type: "image_url", image_url: { url: "https://x/a.png" } }] }], "messages[1].content[0]");
  });
});

describe("convertMessages: tool calls and results", () => {
  const history: Messages = [
    { role: "user", content: "Weather in Paris and Rome?" },
    {
      role: "assistant",
      content: "Checking.",
      tool_calls: [
        { id: "call_1", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } },
        { id: "functions.weather:1", type: "function", function: { name: "weather", arguments: "" } },
      ],
    },
    { role: "tool", tool_call_id: "call_1", content: "18C" },
    { role: "tool", tool_call_id: "functions.weather:1", content: [{ type: "text", text: "21C" }] },
    { role: "user", content: "Thanks, which is warmer?" },
  ];

  it("assistant tool_calls → tool_use; consecutive tool results → one user turn with tool_result blocks first", () => {
    const out = convertMessages(history);
    expect(out.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "Weather in Paris and Rome?" }] },
      {
        role: "assistant",
        content: [
          { type: "text", text: "Checking." },
          { type: "tool_use", id: "call_1", name: "weather", input: { city: "Paris" } },
          { type: "tool_use", id: "functions_weather_1", name: "weather", input: {} },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "call_1", content: "18C" },
          { type: "tool_result", tool_use_id: "functions_weather_1", content: [{ type: "text", text: "21C" }] },
          { type: "text", text: "Thanks, which is warmer?" },
        ],
      },
    ]);
  });

  it("tool_result blocks are moved before text even when the user text came first", () => {
    const out = convertMessages([
      { role: "user", content: "Go" },
      { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "f", arguments: "{}" } }] },
      { role: "user", content: "(note)" },
      { role: "tool", tool_call_id: "call_1", content: "" },
    ]);
    expect(out.messages[2]!.content).toEqual([{ type: "tool_result", tool_use_id: "call_1" }, { type: "text", text: "(note)" }]);
  });

  it("tool results may carry images", () => {
    const out = convertMessages([
      { role: "user", content: "Screenshot?" },
      { role: "assistant", content: null, tool_calls: [{ id: "c", type: "function", function: { name: "shot", arguments: "{}" } }] },
      { role: "tool", tool_call_id: "c", content: [{ type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } }] },
    ]);
    expect(out.messages[2]!.content[0]).toEqual({ type: "tool_result", tool_use_id: "c", content: [{ type: "image", source: { type: "base64", media_type: "image/png", data: PNG } }] });
  });

  it("invalid or non-object tool call arguments are 400s", () => {
    const call = (args: string): Messages => [{ role: "user", content: "x" }, { role: "assistant", content: null, tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: args } }] }];
    rejects(call("{not json"), "messages[1].tool_calls[0].function.arguments");
    rejects(call("[1,2]"), "messages[1].tool_calls[0].function.arguments");
  });

  it("toolId keeps valid ids and sanitises others", () => {
    expect(toolId("toolu_01ABC-x")).toBe("toolu_01ABC-x");
    expect(toolId("call:1.2")).toBe("call_1_2");
    expect(toolId("")).toBe("_");
  });
});
