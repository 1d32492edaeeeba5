import { describe, expect, it } from "vitest";
import { ApiError } from "../../errors";
import type { ChatCompletionRequest } from "../../wire/chat";
import type { TransformContext } from "../transform";
import { anthropicChat } from "./index";
import { JSON_RESPONSE_TOOL } from "./shared";
import { chatRequest, ctx } from "../../../test/helpers/anthropic-provider";

type Body = Record<string, unknown>;
const build = (over: Partial<ChatCompletionRequest> = {}, c: Partial<TransformContext> = {}) => anthropicChat.request(chatRequest(over), { ...ctx, ...c });
const body = (over: Partial<ChatCompletionRequest> = {}, c: Partial<TransformContext> = {}) => build(over, c).body as Body;

function rejects(over: Partial<ChatCompletionRequest>, param: string, c: Partial<TransformContext> = {}) {
  try {
    build(over, c);
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    const err = e as ApiError;
    expect([err.status, err.code, err.type, err.options.param]).toEqual([400, "unsupported_parameter", "invalid_request_error", param]);
    expect(err.message.length).toBeGreaterThan(10);
    return;
  }
  throw new Error(`expected a 400 for ${param}`);
}

const weather = { type: "function" as const, function: { name: "weather", description: "Get weather", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } };

describe("request(): envelope", () => {
  it("POST /messages with anthropic-version and no auth header; upstream model; max_tokens default 8192", () => {
    const r = build();
    expect(r.path).toBe("/messages");
    expect(r.headers).toEqual({ "anthropic-version": "2023-06-01" });
    expect(r.body).toEqual({ model: ctx.upstreamModel, max_tokens: 8192, messages: [{ role: "user", content: [{ type: "text", text: "Hello" }] }] });
  });

  it("stream → stream: true (stream_options dropped); system prompt → system", () => {
    const b = body({ stream: true, stream_options: { include_usage: true }, messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hi" }] });
    expect(b.stream).toBe(true);
    expect(b.stream_options).toBeUndefined();
    expect(b.system).toEqual([{ type: "text", text: "Be brief." }]);
  });

  it("harmless fields are dropped: seed, user, metadata, store, service_tier, modalities, n=1, neutral penalties/logprobs", () => {
    const b = body({
      seed: 42, user: "u@example.com", metadata: { k: "v" }, store: true, service_tier: "auto", modalities: ["text"], n: 1,
      presence_penalty: 0, frequency_penalty: 0, logprobs: false, top_logprobs: 0, logit_bias: {}, response_format: { type: "text" },
    });
    expect(Object.keys(b).sort()).toEqual(["max_tokens", "messages", "model"]);
  });
});

describe("request(): max_tokens", () => {
  it("max_completion_tokens wins over max_tokens; either is passed as max_tokens", () => {
    expect(body({ max_tokens: 100 }).max_tokens).toBe(100);
    expect(body({ max_completion_tokens: 200, max_tokens: 100 }).max_tokens).toBe(200);
  });

  it("ctx.outputCap applies when the caller set none, and caps a larger caller value", () => {
    expect(body({}, { outputCap: 3000 }).max_tokens).toBe(3000);
    expect(body({ max_tokens: 5000 }, { outputCap: 3000 }).max_tokens).toBe(3000);
    expect(body({ max_tokens: 1000 }, { outputCap: 3000 }).max_tokens).toBe(1000);
  });

  it("original Claude 3 models default to 4096", () => {
    expect(body({}, { upstreamModel: "claude-3-opus-20240229" }).max_tokens).toBe(4096);
    expect(body({}, { upstreamModel: "claude-3-5-haiku-20241022" }).max_tokens).toBe(8192);
  });
});

describe("request(): sampling and stop", () => {
  it("temperature 0–1 and top_p pass through; temperature > 1 is a 400", () => {
    expect(body({ temperature: 0.7, top_p: 0.9 })).toMatchObject({ temperature: 0.7, top_p: 0.9 });
    expect(body({ temperature: 0 }).temperature).toBe(0);
    expect(body({ temperature: 1 }).temperature).toBe(1);
    rejects({ temperature: 1.5 }, "temperature");
  });

  it("stop string/list → stop_sequences; whitespace-only stop is a 400", () => {
    expect(body({ stop: "END" }).stop_sequences).toEqual(["END"]);
    expect(body({ stop: ["A", "B\n"] }).stop_sequences).toEqual(["A", "B\n"]);
    expect(body({ stop: [] }).stop_sequences).toBeUndefined();
    rejects({ stop: "\n" }, "stop");
    rejects({ stop: ["ok", " "] }, "stop");
  });

  it("unsupported parameters are 400s naming the field", () => {
    rejects({ logprobs: true }, "logprobs");
    rejects({ top_logprobs: 3 }, "top_logprobs");
    rejects({ presence_penalty: 0.5 }, "presence_penalty");
    rejects({ frequency_penalty: -1 }, "frequency_penalty");
    rejects({ logit_bias: { "50256": -100 } }, "logit_bias");
    rejects({ n: 2 as 1 }, "n");
  });
});

describe("request(): reasoning_effort", () => {
  it("budget-mode models (Claude ≤ 4.5): thinking enabled with the documented budgets, default max_tokens grows by the budget", () => {
    expect(body({ reasoning_effort: "minimal" })).toMatchObject({ thinking: { type: "enabled", budget_tokens: 1024 }, max_tokens: 8192 + 1024 });
    expect(body({ reasoning_effort: "low" })).toMatchObject({ thinking: { type: "enabled", budget_tokens: 2048 }, max_tokens: 8192 + 2048 });
    expect(body({ reasoning_effort: "medium" })).toMatchObject({ thinking: { type: "enabled", budget_tokens: 8192 }, max_tokens: 8192 + 8192 });
    expect(body({ reasoning_effort: "high" })).toMatchObject({ thinking: { type: "enabled", budget_tokens: 16384 }, max_tokens: 8192 + 16384 });
    expect(body({ reasoning_effort: null }).thinking).toBeUndefined();
  });

  it("the budget stays below a caller or gateway limit; a limit ≤ 1024 is a 400", () => {
    expect(body({ reasoning_effort: "high", max_completion_tokens: 4000 })).toMatchObject({ thinking: { budget_tokens: 3999 }, max_tokens: 4000 });
    expect(body({ reasoning_effort: "low", max_tokens: 30000 })).toMatchObject({ thinking: { budget_tokens: 2048 }, max_tokens: 30000 });
    expect(body({ reasoning_effort: "high" }, { outputCap: 5000 })).toMatchObject({ thinking: { budget_tokens: 4999 }, max_tokens: 5000 });
    rejects({ reasoning_effort: "low", max_completion_tokens: 1024 }, "max_completion_tokens");
    rejects({ reasoning_effort: "low", max_tokens: 500 }, "max_tokens");
    rejects({ reasoning_effort: "low" }, "reasoning_effort", { outputCap: 800 });
  });

  it.each(["claude-3-7-sonnet-20250219", "claude-sonnet-4-20250514", "claude-opus-4-1-20250805", "claude-opus-4-5", "claude-haiku-4-5-20251001"])(
    "%s uses budget thinking", (upstreamModel) => {
      expect(body({ reasoning_effort: "medium" }, { upstreamModel }).thinking).toEqual({ type: "enabled", budget_tokens: 8192 });
    });

  it.each(["claude-opus-4-6", "claude-sonnet-4-6", "claude-opus-4-7", "claude-sonnet-5", "claude-opus-5", "claude-mythos-5-1"])(
    "%s uses adaptive thinking with output_config.effort", (upstreamModel) => {
      const b = body({ reasoning_effort: "medium" }, { upstreamModel });
      expect(b).toMatchObject({ thinking: { type: "adaptive" }, output_config: { effort: "medium" }, max_tokens: 8192 + 8192 });
      expect(body({ reasoning_effort: "minimal" }, { upstreamModel }).output_config).toEqual({ effort: "low" });
      expect(body({ reasoning_effort: "high", max_tokens: 500 }, { upstreamModel })).toMatchObject({ thinking: { type: "adaptive" }, max_tokens: 500 });
    });

  it("with thinking: temperature 1 is dropped, other temperatures are a 400; top_p only 0.95–1", () => {
    const b = body({ reasoning_effort: "low", temperature: 1, top_p: 0.95 });
    expect(b.temperature).toBeUndefined();
    expect(b.top_p).toBe(0.95);
    rejects({ reasoning_effort: "low", temperature: 0.2 }, "temperature");
    rejects({ reasoning_effort: "low", top_p: 0.5 }, "top_p");
    rejects({ reasoning_effort: "high", temperature: 0.5 }, "temperature", { upstreamModel: "claude-opus-5" });
  });
});

describe("request(): tools, tool_choice, parallel_tool_calls", () => {
  it("tools → name/description/input_schema; missing parameters → empty object schema; strict dropped", () => {
    const b = body({ tools: [weather, { type: "function", function: { name: "now", strict: true } }] });
    expect(b.tools).toEqual([
      { name: "weather", description: "Get weather", input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } },
      { name: "now", input_schema: { type: "object", properties: {} } },
    ]);
    expect(b.tool_choice).toBeUndefined();
  });

  it("tool_choice auto/none/required/function → auto/none/any/tool", () => {
    expect(body({ tools: [weather], tool_choice: "auto" }).tool_choice).toEqual({ type: "auto" });
    expect(body({ tools: [weather], tool_choice: "none" }).tool_choice).toEqual({ type: "none" });
    expect(body({ tools: [weather], tool_choice: "required" }).tool_choice).toEqual({ type: "any" });
    expect(body({ tools: [weather], tool_choice: { type: "function", function: { name: "weather" } } }).tool_choice).toEqual({ type: "tool", name: "weather" });
    rejects({ tools: [weather], tool_choice: { type: "function", function: { name: "missing" } } }, "tool_choice");
  });

  it("parallel_tool_calls:false → disable_parallel_tool_use on the choice (auto when none given)", () => {
    expect(body({ tools: [weather], parallel_tool_calls: false }).tool_choice).toEqual({ type: "auto", disable_parallel_tool_use: true });
    expect(body({ tools: [weather], tool_choice: "required", parallel_tool_calls: false }).tool_choice).toEqual({ type: "any", disable_parallel_tool_use: true });
    expect(body({ tools: [weather], tool_choice: "none", parallel_tool_calls: false }).tool_choice).toEqual({ type: "none" });
    expect(body({ tools: [weather], parallel_tool_calls: true }).tool_choice).toBeUndefined();
  });

  it("without tools, tool_choice and parallel_tool_calls are dropped", () => {
    const b = body({ tool_choice: "none", parallel_tool_calls: false });
    expect(b.tools).toBeUndefined();
    expect(b.tool_choice).toBeUndefined();
  });

  it("forcing a tool while reasoning is a 400; auto is fine", () => {
    rejects({ tools: [weather], tool_choice: "required", reasoning_effort: "low" }, "tool_choice");
    rejects({ tools: [weather], tool_choice: { type: "function", function: { name: "weather" } }, reasoning_effort: "low" }, "tool_choice");
    expect(body({ tools: [weather], tool_choice: "auto", reasoning_effort: "low" }).tool_choice).toEqual({ type: "auto" });
  });

  it("a caller tool with the reserved JSON tool name is a 400", () => {
    rejects({ tools: [{ type: "function", function: { name: JSON_RESPONSE_TOOL } }] }, "tools[0].function.name");
  });

  it("a full tool round trip in the messages", () => {
    const b = body({
      tools: [weather],
      messages: [
        { role: "user", content: "Paris?" },
        { role: "assistant", content: null, tool_calls: [{ id: "call_9", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } }] },
        { role: "tool", tool_call_id: "call_9", content: "18C" },
      ],
    });
    expect(b.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "Paris?" }] },
      { role: "assistant", content: [{ type: "tool_use", id: "call_9", name: "weather", input: { city: "Paris" } }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "call_9", content: "18C" }] },
    ]);
  });
});

describe("request(): response_format", () => {
  const schema = { type: "object", properties: { answer: { type: "string" } }, required: ["answer"], additionalProperties: false };

  it("json_schema → the injected tool with the caller's schema, forced", () => {
    const b = body({ response_format: { type: "json_schema", json_schema: { name: "reply", description: "The reply.", schema, strict: true } } });
    expect(b.tools).toEqual([{ name: JSON_RESPONSE_TOOL, description: expect.stringContaining("'reply'. The reply."), input_schema: schema }]);
    expect(b.tool_choice).toEqual({ type: "tool", name: JSON_RESPONSE_TOOL });
  });

  it("json_object → the injected tool accepting any object, forced", () => {
    const b = body({ response_format: { type: "json_object" } });
    expect(b.tools).toEqual([{ name: JSON_RESPONSE_TOOL, description: expect.any(String), input_schema: { type: "object", additionalProperties: true } }]);
    expect(b.tool_choice).toEqual({ type: "tool", name: JSON_RESPONSE_TOOL });
  });

  it("json_schema without a schema, or without a root type, gets an object root; a non-object root is a 400", () => {
    expect((body({ response_format: { type: "json_schema", json_schema: { name: "x" } } }).tools as Body[])[0]!.input_schema).toEqual({ type: "object" });
    expect((body({ response_format: { type: "json_schema", json_schema: { name: "x", schema: { properties: {} } } } }).tools as Body[])[0]!.input_schema).toEqual({ type: "object", properties: {} });
    rejects({ response_format: { type: "json_schema", json_schema: { name: "x", schema: { type: "array" } } } }, "response_format.json_schema.schema");
  });

  it("with caller tools on auto: both tools, tool_choice any; on none: the JSON tool is forced", () => {
    const auto = body({ tools: [weather], response_format: { type: "json_object" } });
    expect((auto.tools as Body[]).map((t) => t.name)).toEqual(["weather", JSON_RESPONSE_TOOL]);
    expect(auto.tool_choice).toEqual({ type: "any" });
    const none = body({ tools: [weather], tool_choice: "none", response_format: { type: "json_object" } });
    expect((none.tools as Body[]).map((t) => t.name)).toEqual(["weather", JSON_RESPONSE_TOOL]);
    expect(none.tool_choice).toEqual({ type: "tool", name: JSON_RESPONSE_TOOL });
  });

  it("with tool_choice required or a named function, the JSON tool is not added", () => {
    const b = body({ tools: [weather], tool_choice: "required", response_format: { type: "json_object" } });
    expect((b.tools as Body[]).map((t) => t.name)).toEqual(["weather"]);
    expect(b.tool_choice).toEqual({ type: "any" });
  });

  it("a JSON response_format with reasoning_effort is a 400", () => {
    rejects({ response_format: { type: "json_object" }, reasoning_effort: "low" }, "response_format");
  });
});
