import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { addTestModels } from "../helpers/catalog";
import { expectError } from "../helpers/errors";
import { account, api, createUser, usageRows } from "../helpers/gateway";

// Issue 12 item 2: options the provider prices above the catalog (a dearer service tier, hosted
// tools billed per call, background generation that cannot be metered) are refused the same way
// on every surface: a 400 naming the field, before anything is reserved or sent upstream.
const MODEL = "po-echo";
beforeAll(() => addTestModels(env, [[MODEL, "openai", "seq:priced-options:echo"], ["po-claude", "anthropic", "echo"]]));

async function standinRequests(): Promise<number> {
  const res = await fetch(`${new URL(env.OPENAI_BASE_URL!).origin}/__stats`);
  return ((await res.json()) as { byModel: Record<string, number> }).byModel["seq:priced-options:echo"] ?? 0;
}

async function expectNothingHappened(userId: string, before: number) {
  expect(await standinRequests()).toBe(before);
  expect(await usageRows(userId)).toHaveLength(0);
  expect((await account(userId).summary())).toMatchObject({ balanceNano: 1_000_000_000, inFlight: 0 });
}

describe("priced options are refused before admission on every surface", () => {
  const responses: Array<[string, Record<string, unknown>, string]> = [
    ["service_tier priority", { service_tier: "priority" }, "service_tier"],
    ["service_tier flex", { service_tier: "flex" }, "service_tier"],
    ["background: true", { background: true }, "background"],
    ["a hosted web search tool", { tools: [{ type: "web_search_preview" }] }, "tools[0].type"],
    ["a hosted code interpreter after a function tool", { tools: [{ type: "function", name: "f", parameters: {} }, { type: "code_interpreter", container: { type: "auto" } }] }, "tools[1].type"],
    ["image generation", { tools: [{ type: "image_generation" }] }, "tools[0].type"],
  ];
  for (const [what, extra, param] of responses) {
    it(`/responses with ${what} → 400 naming ${param}, nothing reserved or sent`, async () => {
      const { key, userId } = await createUser("1.00");
      const before = await standinRequests();
      const res = await api("/responses", key, { method: "POST", json: { model: MODEL, input: "Hi", ...extra } });
      await expectError(res, 400, "unsupported_parameter", "invalid_request_error", param);
      await expectNothingHappened(userId, before);
    });
  }

  it("/responses with the standard tier and a function tool is served", async () => {
    const { key } = await createUser("1.00");
    const res = await api("/responses", key, { method: "POST", json: { model: "test-fixture-text", input: "Hi", service_tier: "auto", tools: [{ type: "function", name: "f", parameters: {} }] } });
    expect(res.status).not.toBe(400);
  });

  it("/chat/completions refuses a dearer service_tier (400 naming it)", async () => {
    const { key, userId } = await createUser("1.00");
    const before = await standinRequests();
    const res = await api("/chat/completions", key, { method: "POST", json: { model: MODEL, messages: [{ role: "user", content: "Hi" }], service_tier: "priority" } });
    const body = (await res.json()) as { error: { param: string } };
    expect(res.status).toBe(400);
    expect(body.error.param).toBe("service_tier");
    await expectNothingHappened(userId, before);
  });

  it("/messages refuses speed: fast (Anthropic's priced fast mode) in Anthropic's error shape", async () => {
    const { key, userId } = await createUser("1.00");
    const res = await api("/messages", key, { method: "POST", json: { model: "po-claude", max_tokens: 16, messages: [{ role: "user", content: "Hi" }], speed: "fast" } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { type: string; error: { type: string; message: string } };
    expect(body).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
    expect(body.error.message).toContain("speed");
    expect(await usageRows(userId)).toHaveLength(0);
  });
});
