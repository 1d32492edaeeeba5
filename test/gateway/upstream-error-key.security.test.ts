import { describe, expect, it } from "vitest";
import { upstreamError } from "../../src/gateway/upstream";
import { resolveProvider } from "../../src/providers/registry";
import type { Env } from "../../src/env";

// A provider key whose tail, base64 and upper-cased forms all differ from the key itself.
const PROVIDER_KEY = "sk-proj-Ab3dE9xQ7tL2mN8pR4sV6wY1zK5hJ0cF";
const TAIL = PROVIDER_KEY.slice(-8);
const B64 = btoa(PROVIDER_KEY);
const UPPER = PROVIDER_KEY.toUpperCase();
const FORMS = [PROVIDER_KEY, TAIL, B64, UPPER, PROVIDER_KEY.slice(-4), "Ab3dE9xQ"];

const env = {
  OPENAI_API_KEY: PROVIDER_KEY, OPENAI_BASE_URL: "http://standin.invalid/v1",
  ANTHROPIC_API_KEY: PROVIDER_KEY, ANTHROPIC_BASE_URL: "http://standin.invalid/v1",
  GOOGLE_API_KEY: PROVIDER_KEY, GOOGLE_BASE_URL: "http://standin.invalid/v1beta",
} as unknown as Env;

/** Hostile error bodies in each wire format, with the key in every transformed form and in every field. */
const hostile = `key ending ${TAIL}; as base64 ${B64}; shouted ${UPPER}`;
const BODIES: Record<string, unknown> = {
  openai: { error: { message: hostile, type: `invalid_${TAIL}`, code: `bad_key_${TAIL}`, param: `messages.${B64}` } },
  anthropic: { type: "error", error: { type: `invalid_request_error ${TAIL}`, message: hostile } },
  google: { error: { code: 400, status: "INVALID_ARGUMENT", message: hostile, details: [{ reason: UPPER }] } },
};

describe("upstream error bodies never carry the provider key to the client, in any form", () => {
  for (const [name, body] of Object.entries(BODIES)) {
    for (const status of [400, 404, 413, 422, 500, 503]) {
      it(`${name} ${status}: the client's error is built from fixed text and safe identifiers only`, async () => {
        const provider = resolveProvider(env, name, false)!;
        expect(provider).toBeTruthy();
        const err = await upstreamError(new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } }), provider);
        const shown = JSON.stringify({ message: err.message, code: err.code, options: err.options });
        for (const form of FORMS) expect(shown).not.toContain(form);
        expect(shown.toLowerCase()).not.toContain(TAIL.toLowerCase());
        expect(err.message).toMatch(new RegExp(`^The provider '${name}' `));
      });
    }
  }

  it("a safe code and param (plain lower-case identifiers) still reach the client", async () => {
    const provider = resolveProvider(env, "openai", false)!;
    const body = { error: { message: hostile, type: "invalid_request_error", code: "context_length_exceeded", param: "messages[0].content" } };
    const err = await upstreamError(new Response(JSON.stringify(body), { status: 400 }), provider);
    expect(err.code).toBe("context_length_exceeded");
    expect(err.options.param).toBe("messages[0].content");
    expect(err.message).toBe("The provider 'openai' rejected the request (context_length_exceeded, param 'messages[0].content'). Nothing was charged.");
  });
});
