import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { type ErrorFormatVariables, handleError } from "../../errors";
import { validate } from "../../middleware/validate";
import { messagesRequestSchema } from "./schema";
import { claudeCodeLike } from "../../../test/helpers/anthropic-surface";

const base = { model: "deepseek/deepseek-chat", max_tokens: 1024, messages: [{ role: "user", content: "Hello" }] };

/** The first issue, which is what the gateway's validator reports. */
function firstIssue(body: unknown) {
  const r = messagesRequestSchema.safeParse(body);
  if (r.success) return null;
  const issue = r.error.issues[0]!;
  return { path: issue.path.join("."), code: issue.code, message: issue.message, keys: (issue as { keys?: string[] }).keys };
}

describe("messagesRequestSchema", () => {
  it("accepts a minimal request and a Claude Code-shaped one", () => {
    expect(firstIssue(base)).toBeNull();
    expect(firstIssue(claudeCodeLike)).toBeNull();
  });

  it("normalises string content and system to text blocks", () => {
    const r = messagesRequestSchema.parse({ ...base, system: "Be brief.", messages: [{ role: "user", content: "Hi" }, { role: "assistant", content: "" }] });
    expect(r.system).toEqual([{ type: "text", text: "Be brief." }]);
    expect(r.messages).toEqual([{ role: "user", content: [{ type: "text", text: "Hi" }] }, { role: "assistant", content: [{ type: "text", text: "" }] }]);
    const tr = messagesRequestSchema.parse({ ...base, messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: "ok" }] }] });
    expect(tr.messages[0]!.content[0]).toEqual({ type: "tool_result", tool_use_id: "t", content: [{ type: "text", text: "ok" }] });
  });

  it("accepts every block and parameter form the SDK sends", () => {
    const body = {
      ...base,
      system: "Be brief.",
      messages: [{
        role: "user",
        content: [
          { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
          { type: "image", source: { type: "url", url: "https://example.com/a.jpg" } },
          { type: "document", source: { type: "base64", media_type: "application/pdf", data: "JVBERi0=" }, title: "Spec" },
          { type: "document", source: { type: "text", media_type: "text/plain", data: "plain" } },
        ],
      }, { role: "assistant", content: "Prefill" }],
      tools: [{ type: "custom", name: "f", input_schema: { type: "object" }, strict: true }],
      tool_choice: { type: "tool", name: "f", disable_parallel_tool_use: true },
      top_p: 0.9, top_k: 40, stop_sequences: ["END"], service_tier: "auto",
      thinking: { type: "adaptive" }, output_config: { effort: "high", format: { type: "json_schema", schema: { type: "object" } } },
    };
    expect(firstIssue(body)).toBeNull();
    for (const tc of [{ type: "auto" }, { type: "any" }, { type: "none" }]) expect(firstIssue({ ...base, tool_choice: tc })).toBeNull();
    expect(firstIssue({ ...base, thinking: { type: "disabled" } })).toBeNull();
  });

  it("keeps unknown fields, at the top level and inside a block, for pass-through", () => {
    const r = messagesRequestSchema.parse({ ...base, foo: 1, messages: [{ role: "user", content: [{ type: "text", text: "x", extra: true }] }] });
    expect((r as Record<string, unknown>).foo).toBe(1);
    expect(r.messages[0]!.content[0]).toMatchObject({ extra: true });
  });

  it("accepts what Claude Code sends: context_management, defer_loading, system entries in messages, echoed blocks", () => {
    expect(firstIssue({ ...base, context_management: { edits: [{ type: "clear_thinking_20251015", keep: "all" }] } })).toBeNull();
    expect(firstIssue({ ...base, tools: [{ name: "f", input_schema: { type: "object" }, defer_loading: true }] })).toBeNull();
    expect(firstIssue({ ...base, messages: [{ role: "system", content: "x" }, ...base.messages] })).toBeNull();
    expect(firstIssue({ ...base, messages: [{ role: "assistant", content: [{ type: "server_tool_use", id: "a", name: "web_search", input: {} }] }] })).toBeNull();
    expect(firstIssue({ ...base, tools: [{ type: "bash_20250124", name: "bash" }] })).toBeNull();
  });

  it("rejects server tools (billed per use) with a clear message on tools[i].type, and the priced top-level fields", () => {
    const web = firstIssue({ ...base, tools: [{ type: "web_search_20250305", name: "web_search", max_uses: 5 }] });
    expect(web).toMatchObject({ path: "tools.0.type", code: "custom" });
    expect(web!.message).toContain("'web_search_20250305' is not supported");
    expect(firstIssue({ ...base, container: "c_1" })).toMatchObject({ path: "container" });
    expect(firstIssue({ ...base, mcp_servers: [] })).toMatchObject({ path: "mcp_servers" });
  });

  it("enforces the required fields and Anthropic's ranges", () => {
    expect(firstIssue({ model: "m", messages: base.messages })).toMatchObject({ path: "max_tokens" });
    expect(firstIssue({ ...base, max_tokens: 0 })).toMatchObject({ path: "max_tokens" });
    expect(firstIssue({ ...base, max_tokens: 1.5 })).toMatchObject({ path: "max_tokens" });
    expect(firstIssue({ ...base, messages: [] })).toMatchObject({ path: "messages" });
    expect(firstIssue({ ...base, temperature: 1.5 })).toMatchObject({ path: "temperature" });
    expect(firstIssue({ ...base, thinking: { type: "enabled", budget_tokens: 512 } })).toMatchObject({ path: "thinking.budget_tokens" });
    expect(firstIssue({ ...base, messages: [{ role: "tool", content: "x" }] })).toMatchObject({ path: "messages.0.role", message: "role must be user, assistant or system" });
    expect(firstIssue({ ...base, messages: [{ role: "user", content: [{ type: "tool_use", id: "a", name: "f", input: {} }] }] }))
      .toMatchObject({ path: "messages.0.content.0.type", message: "a user content block must have a type of text, image, document or tool_result" });
    expect(firstIssue({ ...base, messages: [{ role: "assistant", content: [{ type: "tool_result", tool_use_id: "a" }] }] }))
      .toMatchObject({ path: "messages.0.content.0.type", message: "an assistant content block must have a type of text, tool_use, thinking or redacted_thinking" });
    expect(firstIssue({ ...base, messages: [{ role: "user", content: 42 }] })).toMatchObject({ path: "messages.0.content" });
    expect(firstIssue({ ...base, messages: [{ role: "user", content: [{ type: "image", source: { type: "base64", media_type: "image/svg+xml", data: "x" } }] }] }))
      .toMatchObject({ path: "messages.0.content.0.source.media_type" });
    expect(firstIssue({ ...base, messages: [{ role: "user", content: [{ type: "image", source: { type: "url", url: "ftp://x" } }] }] }))
      .toMatchObject({ path: "messages.0.content.0.source.url" });
  });

  it("through the gateway's validator, errors are 400s in Anthropic's error shape that name the field", async () => {
    const app = new Hono<{ Variables: ErrorFormatVariables }>();
    app.use(async (c, next) => { c.set("errorFormat", "anthropic"); await next(); });
    app.post("/v1/messages", validate("json", messagesRequestSchema), (c) => c.json({ ok: true }));
    app.onError(handleError);
    const post = (body: unknown) => app.request("/v1/messages", { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });

    const unknown = await post({ ...base, foo: 1 });
    expect(unknown.status).toBe(200);
    const bad = await post({ ...base, max_tokens: "many" });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { type: string; message: string } }).error).toMatchObject({ type: "invalid_request_error", message: expect.stringContaining("'max_tokens'") });

    const server = await post({ ...base, tools: [{ type: "web_search_20250305", name: "web_search" }] });
    expect(server.status).toBe(400);
    expect(((await server.json()) as { error: { message: string } }).error.message)
      .toBe("Invalid value for 'tools[0].type': the Anthropic tool type 'web_search_20250305' is not supported by this gateway: server tools are billed per use, which is not priced here; use custom tools ({name, description, input_schema})");

    expect((await post(claudeCodeLike)).status).toBe(200);
  });
});
