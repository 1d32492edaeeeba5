import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { formatUsd } from "../../src/lib/money";
import { addTestModels } from "../helpers/catalog";
import { expectError } from "../helpers/errors";
import { account, chat, createUser, drained, usageRows } from "../helpers/gateway";
import errorMessage from "../fixtures/providers/anthropic/error-message.json";
import retryInfo from "../fixtures/providers/google/google-429-retry-info.json";

// Anthropic and Gemini error answers (the stand-in's error-* scenarios in each provider's own shape,
// and the two recorded error fixtures) become the caller's OpenAI error {error:{message,type,code,param}}
// with the right status, before any byte is streamed, and cost nothing.

const ROWS: Array<[string, string, string]> = [
  ["fxage-a-400", "anthropic", "error-400"],
  ["fxage-a-rec400", "anthropic", "fixture:anthropic/error-message"],
  ["fxage-a-401", "anthropic", "error-401"],
  ["fxage-a-429", "anthropic", "error-429"],
  ["fxage-a-500", "anthropic", "error-500"],
  ["fxage-a-503", "anthropic", "error-503"],
  ["fxage-g-400", "google", "error-400"],
  ["fxage-g-401", "google", "error-401"],
  ["fxage-g-429", "google", "error-429"],
  ["fxage-g-rec429", "google", "fixture:google/google-429-retry-info"],
  ["fxage-g-500", "google", "error-500"],
  ["fxage-g-503", "google", "error-503"],
];

beforeAll(async () => {
  await addTestModels(env, ROWS);
});

const CREDITS = 1_000_000_000; // 1.00 USD
const bindings = env as unknown as Record<string, string>;
const PROVIDER_KEYS = [bindings.ANTHROPIC_API_KEY!, bindings.GOOGLE_API_KEY!];
const INTERNAL_DETAIL = "upstream-internal-detail-XYZ";

interface ErrCase {
  model: string; provider: "anthropic" | "google"; what: string;
  status: number; code: string; type: string;
  /** The fixed message a provider's 400 becomes (the provider's own text is never copied). */
  message?: string;
  /** Retry-After the caller must get. */
  retryAfter?: string;
}

const CASES: ErrCase[] = [
  // error-message.json, recorded as HTTP 400: its message reaches the caller.
  { model: "fxage-a-400", provider: "anthropic", what: "error-400 (error-message.json)", status: 400, code: "upstream_invalid_request", type: "invalid_request_error", message: "The provider 'anthropic' rejected the request. Nothing was charged." },
  { model: "fxage-a-rec400", provider: "anthropic", what: "fixture anthropic/error-message", status: 400, code: "upstream_invalid_request", type: "invalid_request_error", message: "The provider 'anthropic' rejected the request. Nothing was charged." },
  { model: "fxage-g-400", provider: "google", what: "error-400 (INVALID_ARGUMENT)", status: 400, code: "upstream_invalid_request", type: "invalid_request_error", message: "The provider 'google' rejected the request. Nothing was charged." },
  // The gateway's own credentials were refused: 502, never the upstream message (it echoes the key).
  { model: "fxage-a-401", provider: "anthropic", what: "error-401", status: 502, code: "upstream_auth_failed", type: "api_error" },
  { model: "fxage-g-401", provider: "google", what: "error-401", status: 502, code: "upstream_auth_failed", type: "api_error" },
  // retry-after: 7 header passed through.
  { model: "fxage-a-429", provider: "anthropic", what: "error-429", status: 429, code: "upstream_rate_limited", type: "rate_limit_error", retryAfter: "7" },
  { model: "fxage-g-429", provider: "google", what: "error-429", status: 429, code: "upstream_rate_limited", type: "rate_limit_error", retryAfter: "7" },
  // google-429-retry-info.json has no header: RetryInfo retryDelay "34.4s" → whole seconds rounded up = 35.
  { model: "fxage-g-rec429", provider: "google", what: "fixture google/google-429-retry-info", status: 429, code: "upstream_rate_limited", type: "rate_limit_error",
    retryAfter: String(Math.ceil(Number.parseFloat(retryInfo.error.details[1]!.retryDelay!))) },
  { model: "fxage-a-500", provider: "anthropic", what: "error-500", status: 502, code: "upstream_error", type: "api_error" },
  { model: "fxage-g-500", provider: "google", what: "error-500", status: 502, code: "upstream_error", type: "api_error" },
  { model: "fxage-a-503", provider: "anthropic", what: "error-503", status: 503, code: "upstream_unavailable", type: "api_error" },
  { model: "fxage-g-503", provider: "google", what: "error-503", status: 503, code: "upstream_unavailable", type: "api_error" },
];

describe("Anthropic and Gemini errors → the caller's OpenAI error shape", () => {
  it("the recorded Gemini RetryInfo delay is 34.4 s (so Retry-After 35)", () => {
    expect(retryInfo.error.details[1]).toMatchObject({ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "34.4s" });
    expect(CASES.find((c) => c.model === "fxage-g-rec429")!.retryAfter).toBe("35");
  });

  for (const c of CASES) {
    for (const stream of [false, true]) {
      it(`${c.provider} ${c.what}, stream ${stream} → ${c.status} ${c.code}`, async () => {
        const { key, userId } = await createUser(formatUsd(CREDITS));
        const res = await chat(key, { model: c.model, stream });
        const rid = res.headers.get("x-request-id");
        expect(rid).toMatch(/^gen-/);
        expect(res.headers.get("retry-after")).toBe(c.retryAfter ?? null);
        const body = await expectError(res, c.status, c.code, c.type, null);
        if (c.message) {
          expect(body.error.message).toBe(c.message);
          expect(body.text).not.toContain(errorMessage.error.message);
          expect(body.error.message).toContain(`'${c.provider}'`);
        }
        // Nothing of the provider's credentials, internals or the caller's key leaks.
        for (const secret of [...PROVIDER_KEYS, key, "SECRET", INTERNAL_DETAIL, "invalid x-api-key", "API key not valid"]) expect(body.text).not.toContain(secret);
        for (const [, v] of res.headers) for (const secret of [...PROVIDER_KEYS, "SECRET"]) expect(v).not.toContain(secret);

        // Nothing charged: the reservation is released and the usage row says upstream_error, cost 0.
        const s = await drained(userId);
        expect(s).toMatchObject({ balanceNano: CREDITS, holdsNano: 0, inFlight: 0 });
        expect((await account(userId).ledger()).filter((e) => e.kind === "usage")).toEqual([]);
        const rows = await usageRows(userId);
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({
          request_id: rid, model: c.model, provider: c.provider, status: "upstream_error", http_status: c.status, error_code: c.code,
          cost_nano: 0, prompt_tokens: 0, completion_tokens: 0, stream: stream ? 1 : 0,
        });
      });
    }
  }
});
