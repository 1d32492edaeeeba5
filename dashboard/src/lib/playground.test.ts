import { afterEach, describe, expect, it, vi } from "vitest";
import { send } from "../api/client";
import type { CatalogModel } from "../api/types";
import { chooseModel, playgroundErrorMessage, playgroundModels, streamFailure } from "./playground";

/** What the playground's request throws when the API answers `status` with the OpenAI error body. */
async function failureFor(status: number, error: Record<string, unknown> | null, headers: Record<string, string> = {}): Promise<unknown> {
  vi.stubGlobal("document", { cookie: "csrf=test-csrf-token" });
  vi.stubGlobal("fetch", async () => new Response(error ? JSON.stringify({ error }) : "upstream died", { status, headers: { "content-type": "application/json", ...headers } }));
  return send("POST", "/api/me/playground/chat/completions", { model: "m", messages: [] }).then(() => null, (e: unknown) => e);
}

afterEach(() => { vi.unstubAllGlobals(); });

describe("the playground shows the API's own message (issue 12 item 21)", () => {
  it("provider_not_configured (503) names the cause instead of 'the server had a problem'", async () => {
    const err = await failureFor(503, { message: "The provider for 'claude-x' is not configured on this gateway.", type: "api_error", code: "provider_not_configured", param: "model" });
    expect(playgroundErrorMessage(err)).toBe("The provider for 'claude-x' is not configured on this gateway.");
  });

  it("402 and 429 show the amounts and the limit the API gave", async () => {
    const poor = await failureFor(402, { message: "Insufficient credits: this request may cost up to 0.05 USD and 0.01 USD is available. Add credits to continue.", code: "insufficient_credits", type: "insufficient_quota" });
    expect(playgroundErrorMessage(poor)).toMatch(/^Insufficient credits: .*0\.01 USD is available/);
    const limited = await failureFor(429, { message: "Rate limit reached: 5 requests per minute for this key.", code: "rate_limit_exceeded", type: "rate_limit_error" }, { "retry-after": "12" });
    expect(playgroundErrorMessage(limited)).toBe("Rate limit reached: 5 requests per minute for this key.");
  });

  it("session problems and answers without a message keep the dashboard's own wording", async () => {
    expect(playgroundErrorMessage(await failureFor(403, { message: "Verify your email first.", code: "email_not_verified" }))).toBeNull();
    expect(playgroundErrorMessage(await failureFor(401, { message: "No session.", code: "invalid_session" }))).toBeNull();
    expect(playgroundErrorMessage(await failureFor(502, null))).toBeNull();
    expect(playgroundErrorMessage(new TypeError("Failed to fetch"))).toBeNull();
  });

  it("an error event inside a stream carries its message too", () => {
    expect(playgroundErrorMessage(streamFailure({ message: "The provider stopped mid-answer.", code: "upstream_error" }))).toBe("The provider stopped mid-answer.");
    expect(playgroundErrorMessage(streamFailure({}))).toBeNull();
  });
});

const model = (id: string, kind: string, available?: boolean): CatalogModel => ({
  id, name: id, owned_by: "x", context_length: 1000, max_output_tokens: null, kind, capabilities: [],
  pricing: { prompt: "0.000001", completion: "0.000002", input_cache_read: null, input_cache_write: null },
  price_source: "t", price_updated_at: "2026-11-01", ...(available === undefined ? {} : { available }),
});

describe("the playground's model picker (issue 12 item 21)", () => {
  const catalog = [model("gpt-4o-mini", "chat", true), model("claude-x", "chat", false), model("embed", "embedding", true), model("old-server", "chat")];

  it("offers only chat models a configured provider can serve; the others are listed as unavailable", () => {
    const { usable, unavailable } = playgroundModels(catalog);
    expect(usable.map((m) => m.id)).toEqual(["gpt-4o-mini", "old-server"]);
    expect(unavailable.map((m) => m.id)).toEqual(["claude-x"]);
  });

  it("does not keep a remembered model that is no longer usable", () => {
    const { usable } = playgroundModels(catalog);
    expect(chooseModel("claude-x", usable)).toBe("gpt-4o-mini");
    expect(chooseModel("old-server", usable)).toBe("old-server");
    expect(chooseModel("", [model("a", "chat"), model("demo", "chat")])).toBe("demo");
    expect(chooseModel("x", [])).toBe("");
  });
});
