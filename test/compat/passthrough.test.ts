import { describe, expect, it } from "vitest";
import { api, chat, createUser } from "../helpers/gateway";

/** The `mirror` stand-in answers with JSON.stringify({headers, body}) of what it received. */
async function upstreamSaw(res: Response, format: "openai" | "anthropic"): Promise<{ body: Record<string, unknown> }> {
  const text = await res.text();
  expect(res.status, text).toBe(200);
  const json = JSON.parse(text) as { choices?: Array<{ message: { content: string } }>; content?: Array<{ text: string }> };
  const echoed = format === "openai" ? json.choices![0]!.message.content : json.content![0]!.text;
  return JSON.parse(echoed) as { body: Record<string, unknown> };
}

/** Documented OpenAI fields clients send (issue 13), plus an unknown one. */
const documented = {
  verbosity: "low", prompt_cache_key: "tenant-1", safety_identifier: "user-hash", prediction: { type: "content", content: "draft" },
  reasoning_effort: "xhigh", frobnicate: { level: 2 },
};
const history = [
  { role: "system", content: [{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral" } }] },
  { role: "user", content: "Weather in Paris?" },
  // The returned assistant message appended as is (the OpenAI docs' tool loop).
  {
    role: "assistant", content: null, refusal: null, annotations: [], audio: null, function_call: null,
    tool_calls: [{ id: "call_1", type: "function", function: { name: "weather", arguments: "{\"city\":\"Paris\"}" } }],
  },
  { role: "tool", tool_call_id: "call_1", name: "weather", content: "18C" },
];
const tools = [{ type: "function", function: { name: "weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }];

describe("pass-through policy on /chat/completions", () => {
  it("an OpenAI-format provider receives documented and unknown fields verbatim; no header", async () => {
    const { key } = await createUser("1.00");
    const res = await chat(key, {
      model: "test-mirror", messages: history, tools: [...tools, { type: "custom", custom: { name: "shell", description: "Run a command" } }], ...documented,
      tool_choice: { type: "allowed_tools", allowed_tools: { mode: "auto", tools: [{ type: "function", function: { name: "weather" } }] } },
    });
    expect(res.headers.get("x-gateway-dropped-params")).toBeNull();
    const { body } = await upstreamSaw(res, "openai");
    expect(body).toMatchObject({ ...documented, tool_choice: { type: "allowed_tools" } });
    expect((body.messages as unknown[])[2]).toMatchObject({ annotations: [], refusal: null });
    expect((body.messages as unknown[])[3]).toMatchObject({ name: "weather" });
    expect((body.messages as Array<{ content: Array<Record<string, unknown>> }>)[0]!.content[0]).toMatchObject({ cache_control: { type: "ephemeral" } });
    expect((body.tools as unknown[])[1]).toMatchObject({ type: "custom" });
  });

  it("stream_options.include_obfuscation and reasoning_effort none are accepted", async () => {
    const { key } = await createUser("1.00");
    const res = await chat(key, { model: "test-mirror", stream: true, stream_options: { include_usage: true, include_obfuscation: false }, reasoning_effort: "none" });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("[DONE]");
  });

  for (const model of ["test-claude-mirror", "test-gemini-mirror"]) {
    it(`translated (${model}): hints are dropped and named in x-gateway-dropped-params; the loop history is accepted`, async () => {
      const { key } = await createUser("1.00");
      const res = await chat(key, {
        model, messages: history, tools, ...documented,
        tool_choice: { type: "allowed_tools", allowed_tools: { mode: "auto", tools: [{ type: "function", function: { name: "weather" } }] } },
      });
      const text = await res.text();
      expect(res.status, text).toBe(200);
      const dropped = res.headers.get("x-gateway-dropped-params")!.split(",");
      expect(dropped).toEqual(expect.arrayContaining(["verbosity", "prompt_cache_key", "safety_identifier", "prediction", "frobnicate", "cache_control", "reasoning_effort.xhigh"]));
      expect(text).not.toContain("tenant-1");
      expect(text).not.toContain("frobnicate");
    });

    it(`translated (${model}): a custom tool cannot be kept → 400 naming it`, async () => {
      const { key } = await createUser("1.00");
      const res = await chat(key, { model, tools: [{ type: "custom", custom: { name: "shell" } }] });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { param: string } }).error.param).toBe("tools[0]");
    });
  }

  it("fields that change the price are refused before any reservation: web_search_options, audio, n > 1", async () => {
    const { key } = await createUser("1.00");
    for (const [field, value] of [["web_search_options", {}], ["audio", { voice: "alloy", format: "wav" }], ["n", 2]] as const) {
      const res = await chat(key, { model: "test-mirror", [field]: value });
      expect(res.status, field).toBe(400);
      expect(((await res.json()) as { error: { param: string } }).error.param).toBe(field);
    }
  });

  it("malformed input is still a 400 naming the field", async () => {
    const { key } = await createUser("1.00");
    for (const [body, param] of [[{ verbosity: "loud" }, "verbosity"], [{ reasoning_effort: "extreme" }, "reasoning_effort"], [{ prompt_cache_key: 7 }, "prompt_cache_key"]] as const) {
      const res = await chat(key, { model: "test-mirror", ...body });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { param: string } }).error.param).toBe(param);
    }
  });
});

describe("pass-through policy on /messages (Claude Code's request)", () => {
  const claudeCode = {
    max_tokens: 200,
    context_management: { edits: [{ type: "clear_thinking_20251015", keep: "all" }] },
    system: [{ type: "text", text: "You are Claude Code.", cache_control: { type: "ephemeral" } }],
    messages: [{ role: "system", content: "Inline system note." }, { role: "user", content: "hi" }],
    tools: [{ name: "Read", description: "Read a file", input_schema: { type: "object" }, defer_loading: true }],
    metadata: { user_id: "user_abc" },
  };

  it("Claude natively receives context_management, defer_loading and the system entry as sent", async () => {
    const { key } = await createUser("1.00");
    const res = await api("/messages", key, { method: "POST", json: { ...claudeCode, model: "test-claude-mirror" } });
    expect(res.headers.get("x-gateway-dropped-params")).toBeNull();
    const { body } = await upstreamSaw(res, "anthropic");
    expect(body.context_management).toEqual(claudeCode.context_management);
    expect(body.tools).toEqual(claudeCode.tools);
    expect((body.messages as unknown[])[0]).toEqual({ role: "system", content: [{ type: "text", text: "Inline system note." }] });
  });

  it("translated for an OpenAI-format model: system entries merged, hints dropped and named", async () => {
    const { key } = await createUser("1.00");
    const res = await api("/messages", key, { method: "POST", json: { ...claudeCode, model: "test-mirror" } });
    const dropped = res.headers.get("x-gateway-dropped-params")!.split(",");
    expect(dropped).toEqual(expect.arrayContaining(["context_management", "tools.defer_loading", "cache_control"]));
    const { body } = await upstreamSaw(res, "anthropic");
    expect((body.messages as unknown[])[0]).toEqual({ role: "system", content: "You are Claude Code.\n\nInline system note." });
    expect(body.context_management).toBeUndefined();
  });

  it("priced Anthropic options are refused: server tools, container, mcp_servers", async () => {
    const { key } = await createUser("1.00");
    for (const [extra, param] of [
      [{ tools: [{ type: "web_search_20250305", name: "web_search" }] }, "tools[0].type"],
      [{ container: "container_1" }, "container"],
      [{ mcp_servers: [{ type: "url", url: "https://mcp.example", name: "x" }] }, "mcp_servers"],
    ] as const) {
      const res = await api("/messages", key, { method: "POST", json: { ...claudeCode, model: "test-claude-mirror", ...extra } });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain(param);
    }
  });
});

describe("pass-through policy on /embeddings and /responses", () => {
  it("embeddings: an unknown field is accepted", async () => {
    const { key } = await createUser("1.00");
    const res = await api("/embeddings", key, { method: "POST", json: { model: "test-embed", input: "x", frobnicate: 1 } });
    expect(res.status).toBe(200);
  });

  it("responses: hosted tools, background and priority tiers are refused (not priced)", async () => {
    const { key } = await createUser("1.00");
    for (const [extra, param] of [[{ tools: [{ type: "web_search" }] }, "tools[0].type"], [{ background: true }, "background"], [{ service_tier: "priority" }, "service_tier"]] as const) {
      const res = await api("/responses", key, { method: "POST", json: { model: "test-mirror", input: "hi", ...extra } });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { param: string } }).error.param).toBe(param);
    }
  });
});
