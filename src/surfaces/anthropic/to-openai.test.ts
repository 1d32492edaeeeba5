import { describe, expect, it } from "vitest";
import { ApiError } from "../../errors";
import { chatCompletionSchema } from "../../wire/chat";
import { messagesRequestSchema } from "./schema";
import { effortForBudget, toOpenAIRequest } from "./to-openai";
import { claudeCodeLike } from "../../../test/helpers/anthropic-surface";

const base = { model: "deepseek/deepseek-chat", max_tokens: 1024, messages: [{ role: "user", content: "Hello" }] };

/** Validates the Anthropic body, converts it, and checks the result is a valid chat request. */
function convert(body: Record<string, unknown>) {
  const out = toOpenAIRequest(messagesRequestSchema.parse(body));
  chatCompletionSchema.parse(out);
  return out;
}

/** Expects the conversion to be a 400 naming `param`. */
function rejects(body: Record<string, unknown>, param: string, text?: string) {
  try {
    convert(body);
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    const e = err as ApiError;
    expect(e.status).toBe(400);
    expect(e.type).toBe("invalid_request_error");
    expect(e.options.param).toBe(param);
    if (text) expect(e.message).toContain(text);
    return;
  }
  throw new Error("expected a 400");
}

const user = (content: unknown) => ({ role: "user", content });
const assistant = (content: unknown) => ({ role: "assistant", content });

describe("toOpenAIRequest: top-level fields", () => {
  it("a minimal request", () => {
    expect(convert(base)).toEqual({ model: "deepseek/deepseek-chat", max_tokens: 1024, messages: [{ role: "user", content: "Hello" }] });
  });

  it("sampling, stop, stream, user; top_k and service_tier dropped", () => {
    expect(convert({ ...base, temperature: 0.2, top_p: 0.9, top_k: 40, stop_sequences: ["END", "STOP"], stream: true, metadata: { user_id: "u-1" }, service_tier: "standard_only" })).toEqual({
      ...base, temperature: 0.2, top_p: 0.9, stop: ["END", "STOP"], stream: true, stream_options: { include_usage: true }, user: "u-1",
    });
    expect(convert({ ...base, stream: false, stop_sequences: [], metadata: { user_id: null } })).toEqual(base);
  });

  it("more than 4 stop_sequences is a 400", () => {
    rejects({ ...base, stop_sequences: ["a", "b", "c", "d", "e"] }, "stop_sequences", "at most 4");
  });

  it("thinking budget → reasoning_effort: ≤2048 low, ≤8192 medium, else high", () => {
    expect([1024, 2048, 2049, 8192, 8193, 32000].map(effortForBudget)).toEqual(["low", "low", "medium", "medium", "high", "high"]);
    const effort = (extra: Record<string, unknown>) => convert({ ...base, max_tokens: 64000, ...extra }).reasoning_effort;
    expect(effort({ thinking: { type: "enabled", budget_tokens: 1024 } })).toBe("low");
    expect(effort({ thinking: { type: "enabled", budget_tokens: 5000 } })).toBe("medium");
    expect(effort({ thinking: { type: "enabled", budget_tokens: 31999, display: "omitted" } })).toBe("high");
    expect(effort({ thinking: { type: "disabled" } })).toBeUndefined();
    expect(effort({ thinking: { type: "adaptive" } })).toBeUndefined();
    expect(effort({})).toBeUndefined();
    // output_config.effort wins over the budget; xhigh/max → high; disabled thinking → none
    expect(effort({ thinking: { type: "adaptive" }, output_config: { effort: "max" } })).toBe("high");
    expect(effort({ thinking: { type: "enabled", budget_tokens: 30000 }, output_config: { effort: "low" } })).toBe("low");
    expect(effort({ thinking: { type: "disabled" }, output_config: { effort: "high" } })).toBeUndefined();
  });

  it("output_config.format json_schema → a strict json_schema response_format", () => {
    const schema = { type: "object", properties: { a: { type: "string" } }, required: ["a"], additionalProperties: false };
    expect(convert({ ...base, output_config: { format: { type: "json_schema", schema } } }).response_format)
      .toEqual({ type: "json_schema", json_schema: { name: "response", schema, strict: true } });
  });
});

describe("toOpenAIRequest: tools", () => {
  const tools = [
    { name: "weather", description: "Get weather", input_schema: { type: "object", properties: { city: { type: "string" } } }, cache_control: { type: "ephemeral" } },
    { type: "custom", name: "time", input_schema: { type: "object" }, strict: true },
  ];

  it("tools → function tools; cache_control dropped; strict kept", () => {
    expect(convert({ ...base, tools }).tools).toEqual([
      { type: "function", function: { name: "weather", description: "Get weather", parameters: tools[0]!.input_schema } },
      { type: "function", function: { name: "time", parameters: { type: "object" }, strict: true } },
    ]);
  });

  it("tool_choice auto/any/none/tool and disable_parallel_tool_use", () => {
    const pick = (tc: unknown) => {
      const out = convert({ ...base, tools, tool_choice: tc });
      return [out.tool_choice, out.parallel_tool_calls];
    };
    expect(pick({ type: "auto" })).toEqual(["auto", undefined]);
    expect(pick({ type: "any" })).toEqual(["required", undefined]);
    expect(pick({ type: "none" })).toEqual(["none", undefined]);
    expect(pick({ type: "tool", name: "time" })).toEqual([{ type: "function", function: { name: "time" } }, undefined]);
    expect(pick({ type: "auto", disable_parallel_tool_use: true })).toEqual(["auto", false]);
    expect(pick({ type: "any", disable_parallel_tool_use: false })).toEqual(["required", undefined]);
  });

  it("without tools, tool_choice is dropped, except naming a tool, which is a 400", () => {
    const out = convert({ ...base, tool_choice: { type: "auto", disable_parallel_tool_use: true } });
    expect(out.tool_choice).toBeUndefined();
    expect(out.parallel_tool_calls).toBeUndefined();
    expect(out.tools).toBeUndefined();
    rejects({ ...base, tools, tool_choice: { type: "tool", name: "nope" } }, "tool_choice.name", "'nope'");
    rejects({ ...base, tool_choice: { type: "tool", name: "nope" } }, "tool_choice.name");
  });
});

describe("toOpenAIRequest: messages", () => {
  it("system: a string, or text blocks joined by a blank line (cache_control dropped); empty → none", () => {
    expect(convert({ ...base, system: "Be brief." }).messages[0]).toEqual({ role: "system", content: "Be brief." });
    expect(convert({ ...base, system: [{ type: "text", text: "A" }, { type: "text", text: "B", cache_control: { type: "ephemeral" } }] }).messages[0])
      .toEqual({ role: "system", content: "A\n\nB" });
    expect(convert({ ...base, system: [] }).messages).toEqual(base.messages);
  });

  it("user text blocks become one string; images and PDFs make a parts array", () => {
    expect(convert({ ...base, messages: [user([{ type: "text", text: "a" }, { type: "text", text: "" }, { type: "text", text: "b" }])] }).messages)
      .toEqual([{ role: "user", content: "a\n\nb" }]);
    expect(convert({
      ...base,
      messages: [user([
        { type: "text", text: "Compare:" },
        { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
        { type: "image", source: { type: "url", url: "https://example.com/cat.jpg" }, cache_control: { type: "ephemeral" } },
        { type: "document", source: { type: "base64", media_type: "application/pdf", data: "JVBERi0=" }, title: "spec.pdf" },
        { type: "document", source: { type: "base64", media_type: "application/pdf", data: "JVBERi1=" } },
        { type: "document", source: { type: "text", media_type: "text/plain", data: "Body" }, title: "Notes" },
      ])],
    }).messages).toEqual([{
      role: "user",
      content: [
        { type: "text", text: "Compare:" },
        { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
        { type: "image_url", image_url: { url: "https://example.com/cat.jpg" } },
        { type: "file", file: { file_data: "data:application/pdf;base64,JVBERi0=", filename: "spec.pdf" } },
        { type: "file", file: { file_data: "data:application/pdf;base64,JVBERi1=", filename: "document.pdf" } },
        { type: "text", text: "Notes\n\nBody" },
      ],
    }]);
  });

  it("a tool round trip: tool_use → tool_calls, tool_result → tool messages right after, then the user's own content", () => {
    const out = convert({
      ...base,
      messages: [
        user("Weather and time in Paris?"),
        assistant([
          { type: "thinking", thinking: "Two tools.", signature: "sig" },
          { type: "redacted_thinking", data: "xyz" },
          { type: "text", text: "Checking." },
          { type: "tool_use", id: "toolu_a", name: "weather", input: { city: "Paris" } },
          { type: "tool_use", id: "toolu_b", name: "time", input: {} },
        ]),
        user([
          { type: "tool_result", tool_use_id: "toolu_a", content: "18°C" },
          { type: "tool_result", tool_use_id: "toolu_b", content: [{ type: "text", text: "Timezone unknown" }, { type: "text", text: "try again" }], is_error: true },
          { type: "text", text: "Thanks, and be brief." },
        ]),
      ],
    });
    expect(out.messages).toEqual([
      { role: "user", content: "Weather and time in Paris?" },
      {
        role: "assistant",
        content: "Checking.",
        tool_calls: [
          { id: "toolu_a", type: "function", function: { name: "weather", arguments: "{\"city\":\"Paris\"}" } },
          { id: "toolu_b", type: "function", function: { name: "time", arguments: "{}" } },
        ],
      },
      { role: "tool", tool_call_id: "toolu_a", content: "18°C" },
      { role: "tool", tool_call_id: "toolu_b", content: "Error: Timezone unknown\n\ntry again" },
      { role: "user", content: "Thanks, and be brief." },
    ]);
  });

  it("tool results: empty content, is_error without text, and images moved to the following user message", () => {
    const out = convert({
      ...base,
      messages: [
        user("Go"),
        assistant([{ type: "tool_use", id: "t1", name: "shot", input: {} }, { type: "tool_use", id: "t2", name: "noop", input: {} }, { type: "tool_use", id: "t3", name: "fail", input: {} }]),
        user([
          { type: "tool_result", tool_use_id: "t1", content: [{ type: "image", source: { type: "base64", media_type: "image/jpeg", data: "/9j/" } }] },
          { type: "tool_result", tool_use_id: "t2" },
          { type: "tool_result", tool_use_id: "t3", content: [], is_error: true },
        ]),
      ],
    });
    expect(out.messages.slice(1)).toEqual([
      { role: "assistant", content: null, tool_calls: expect.any(Array) },
      { role: "tool", tool_call_id: "t1", content: "(The result is attached in the next user message.)" },
      { role: "tool", tool_call_id: "t2", content: "" },
      { role: "tool", tool_call_id: "t3", content: "Error" },
      { role: "user", content: [{ type: "text", text: "Attachments returned by tool call t1:" }, { type: "image_url", image_url: { url: "data:image/jpeg;base64,/9j/" } }] },
    ]);
  });

  it("is_error prefixes the first non-empty text; text documents in a result count as text", () => {
    const out = convert({
      ...base,
      messages: [
        user("Go"),
        assistant([{ type: "tool_use", id: "t", name: "f", input: {} }]),
        user([{ type: "tool_result", tool_use_id: "t", is_error: true, content: [
          { type: "text", text: "" }, { type: "text", text: "boom" }, { type: "document", source: { type: "text", media_type: "text/plain", data: "trace" } },
        ] }]),
      ],
    });
    expect(out.messages.at(-1)).toEqual({ role: "tool", tool_call_id: "t", content: "Error: boom\n\ntrace" });
  });

  it("consecutive messages of one role are merged into one turn, as Anthropic does", () => {
    const out = convert({
      ...base,
      messages: [user("a"), user([{ type: "text", text: "b" }]), assistant([{ type: "tool_use", id: "t", name: "f", input: {} }]),
        user([{ type: "tool_result", tool_use_id: "t", content: "ok" }]), user("next")],
    });
    expect(out.messages).toEqual([
      { role: "user", content: "a\n\nb" },
      { role: "assistant", content: null, tool_calls: [{ id: "t", type: "function", function: { name: "f", arguments: "{}" } }] },
      { role: "tool", tool_call_id: "t", content: "ok" },
      { role: "user", content: "next" },
    ]);
  });

  it("assistant turns with only thinking are skipped; a final assistant turn is kept (prefill)", () => {
    expect(convert({ ...base, messages: [user("a"), assistant([{ type: "thinking", thinking: "x", signature: "s" }]), user("b"), assistant("The answer is")] }).messages)
      .toEqual([{ role: "user", content: "a" }, { role: "user", content: "b" }, { role: "assistant", content: "The answer is" }]);
  });

  it("a tool_result that answers no preceding tool_use, or a tool_use left unanswered, is a 400", () => {
    rejects({ ...base, messages: [user([{ type: "tool_result", tool_use_id: "ghost", content: "x" }])] }, "messages[0].content[0].tool_use_id", "'ghost'");
    const result = user([{ type: "tool_result", tool_use_id: "t" }]);
    rejects({
      ...base,
      messages: [user("a"), assistant([{ type: "tool_use", id: "t", name: "f", input: {} }]), result, assistant("done"), result],
    }, "messages[4].content[0].tool_use_id", "'t'");
    rejects({ ...base, messages: [user("a"), assistant([{ type: "tool_use", id: "t", name: "f", input: {} }]), user("no result")] }, "messages[2].content", "without tool_result");
  });

  it("a conversation with nothing to send is a 400", () => {
    rejects({ ...base, system: "sys", messages: [user([]), assistant([{ type: "thinking", thinking: "x", signature: "s" }])] }, "messages");
  });

  it("a Claude Code-shaped request converts to a valid chat request", () => {
    const out = convert(claudeCodeLike);
    expect(out).toMatchObject({
      stream: true, stream_options: { include_usage: true }, temperature: 1, max_tokens: 32000, reasoning_effort: "medium",
      user: "user_abc_account_123_session_456",
    });
    expect(out.messages.map((m) => m.role)).toEqual(["system", "user", "assistant", "tool"]);
    expect(out.messages[0]!.content).toBe("You are Claude Code, Anthropic's official CLI for Claude.\n\nLong instructions…");
    expect(out.messages[2]).toEqual({ role: "assistant", content: "Running ls.", tool_calls: [{ id: "toolu_01", type: "function", function: { name: "Bash", arguments: "{\"command\":\"ls\"}" } }] });
  });
});
