import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { estimateChatPromptTokens } from "../../src/billing/estimate";
import { account, api, BASE, createUser } from "../helpers/gateway";

type AnthropicError = { type: string; error: { type: string; message: string } };

async function anthropicError(res: Response, status: number, type: string): Promise<AnthropicError> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  const body = JSON.parse(text) as AnthropicError;
  expect(Object.keys(body)).toEqual(["type", "error"]);
  expect(body).toMatchObject({ type: "error", error: { type } });
  expect(body.error.message.length).toBeGreaterThan(0);
  return body;
}

const countBody = { model: "test-claude-text", system: "Be brief.", messages: [{ role: "user", content: "How many tokens is this?" }] };
const post = (path: string, key: string | null, json: unknown, headers: Record<string, string> = {}) =>
  SELF.fetch(`${BASE}${path}`, { method: "POST", headers: { "content-type": "application/json", ...(key ? { "x-api-key": key } : {}), ...headers }, body: JSON.stringify(json) });

describe("POST /messages/count_tokens", () => {
  it("answers {input_tokens} with the gateway's estimator, on /api/v1 and the /v1 alias, and charges nothing", async () => {
    const { key, userId } = await createUser("1.00");
    const before = await account(userId).summary();
    const expected = estimateChatPromptTokens({ messages: [{ role: "system", content: "Be brief." }, { role: "user", content: [{ type: "text", text: "How many tokens is this?" }] }] });
    for (const path of ["/api/v1/messages/count_tokens", "/v1/messages/count_tokens"]) {
      const res = await post(path, key, countBody);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ input_tokens: expected });
      expect(res.headers.get("x-ratelimit-limit-requests")).not.toBeNull();
    }
    const after = await account(userId).summary();
    expect(after).toEqual(before);
  });

  it("counts tools and Claude Code's fields (context_management, defer_loading, system entries)", async () => {
    const { key } = await createUser("1.00");
    const res = await post("/api/v1/messages/count_tokens", key, {
      ...countBody, context_management: { edits: [{ type: "clear_thinking_20251015", keep: "all" }] },
      messages: [{ role: "system", content: "Extra." }, ...countBody.messages],
      tools: [{ name: "read", description: "Read a file", input_schema: { type: "object" }, defer_loading: true }],
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { input_tokens: number }).input_tokens).toBeGreaterThan(10);
  });

  it("errors in Anthropic's shape: 400 names the field, 401 without a key, 404 unknown model with suggestions", async () => {
    const { key } = await createUser("1.00");
    const bad = await anthropicError(await post("/api/v1/messages/count_tokens", key, { model: "test-claude-text" }), 400, "invalid_request_error");
    expect(bad.error.message).toContain("messages");
    await anthropicError(await post("/api/v1/messages/count_tokens", null, countBody), 401, "authentication_error");
    const unknown = await anthropicError(await post("/api/v1/messages/count_tokens", key, { ...countBody, model: "test-claude-txt" }), 404, "not_found_error");
    expect(unknown.error.message).toContain("Did you mean 'test-claude-text'");
  });

  it("is rate-limited by the key's requests per minute, without a reservation", async () => {
    const { key, userId } = await createUser("1.00", { rpm: 2 });
    expect((await post("/api/v1/messages/count_tokens", key, countBody)).status).toBe(200);
    expect((await post("/api/v1/messages/count_tokens", key, countBody)).status).toBe(200);
    const limited = await post("/api/v1/messages/count_tokens", key, countBody);
    await anthropicError(limited, 429, "rate_limit_error");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await account(userId).summary()).inFlight).toBe(0);
  });
});

describe("Anthropic's error types on /messages", () => {
  it("402 → billing_error, 404 unknown model → not_found_error, 401 → authentication_error", async () => {
    const poor = await createUser("0");
    await anthropicError(await post("/api/v1/messages", poor.key, { ...countBody, max_tokens: 100 }), 402, "billing_error");
    const { key } = await createUser("1.00");
    const nf = await anthropicError(await post("/api/v1/messages", key, { ...countBody, model: "claude-nonexistent-9", max_tokens: 100 }), 404, "not_found_error");
    expect(nf.error.message).toContain("claude-nonexistent-9");
    await anthropicError(await post("/v1/messages", "sk-gw-bogus", { ...countBody, max_tokens: 100 }), 401, "authentication_error");
  });

  it("an unknown path under /messages is a 404 in Anthropic's shape", async () => {
    const { key } = await createUser("1.00");
    await anthropicError(await post("/v1/messages/batches", key, { requests: [] }), 404, "not_found_error");
    await anthropicError(await SELF.fetch(`${BASE}/api/v1/messages/batches/msgbatch_1`, { headers: { "x-api-key": key } }), 404, "not_found_error");
  });

  it("OpenAI routes keep OpenAI's shape and types", async () => {
    const poor = await createUser("0");
    const res = await api("/chat/completions", poor.key, { method: "POST", json: { model: "test-echo", messages: [{ role: "user", content: "hi" }] } });
    expect(res.status).toBe(402);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe("insufficient_quota");
  });
});

describe("CORS on the API routes", () => {
  const preflight = (path: string) => SELF.fetch(`${BASE}${path}`, {
    method: "OPTIONS",
    headers: { origin: "https://app.example", "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type, x-stainless-os" },
  });

  it("a preflight needs no key and answers 204 with any origin, the asked headers, and no credentials", async () => {
    for (const path of ["/api/v1/chat/completions", "/v1/messages", "/api/v1/messages/count_tokens", "/api/v1/models"]) {
      const res = await preflight(path);
      expect(res.status, path).toBe(204);
      expect(res.headers.get("access-control-allow-origin")).toBe("*");
      expect(res.headers.get("access-control-allow-methods")).toContain("POST");
      expect(res.headers.get("access-control-allow-headers")).toBe("authorization,content-type,x-stainless-os");
      expect(res.headers.get("access-control-allow-credentials")).toBeNull();
    }
  });

  it("answers and errors carry the CORS headers, with the gateway's headers exposed", async () => {
    const { key } = await createUser("1.00");
    const ok = await api("/chat/completions", key, { method: "POST", headers: { origin: "https://app.example" }, json: { model: "test-echo", messages: [{ role: "user", content: "hi" }] } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("access-control-allow-origin")).toBe("*");
    expect(ok.headers.get("access-control-expose-headers")).toContain("x-request-id");
    const denied = await api("/chat/completions", null, { method: "POST", headers: { origin: "https://app.example" }, json: {} });
    expect(denied.status).toBe(401);
    expect(denied.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("the dashboard's session routes get no CORS", async () => {
    for (const path of ["/api/me", "/api/billing/transactions", "/api/auth/session", "/api/admin/users"]) {
      const res = await preflight(path);
      expect(res.headers.get("access-control-allow-origin"), path).toBeNull();
    }
  });
});

describe("/healthz", () => {
  it("is answered by the worker with a small JSON health answer", async () => {
    const res = await SELF.fetch(`${BASE}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await res.json()).toMatchObject({ ok: true, status: "ok" });
  });
});
