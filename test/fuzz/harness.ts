import { env, runInDurableObject } from "cloudflare:test";
import fc from "fast-check";
import { expect } from "vitest";
import { account, settled } from "../helpers/gateway";

// The fuzz harness shared by test/fuzz/*.test.ts: the rejection oracle, the books snapshot and
// the hostile arbitraries.

import { anthropicErrorType } from "../../src/errors";
export type Shape = "openai" | "anthropic";
export const TYPES: Record<number, readonly string[]> = {
  400: ["invalid_request_error"], 401: ["authentication_error"], 402: ["insufficient_quota"], 403: ["permission_error"],
  404: ["not_found_error", "invalid_request_error"], 409: ["invalid_request_error"], 413: ["request_too_large"],
};
/** With allowRateLimit, a 429 is an accepted rejection too (for properties that send valid requests). */
export interface Rejection { status: number; type: string; message: string; code?: string; param?: string | null }
/** The response must be a 4xx in the route's error shape, with no upstream detail in it. */
export async function rejected(res: Response, shape: Shape, what: string, allowRateLimit = false): Promise<Rejection> {
  const text = await res.text();
  const ctx = `${what.slice(0, 300)} → ${res.status} ${text.slice(0, 300)}`;
  expect(res.status, ctx).toBeGreaterThanOrEqual(400);
  expect(res.status, ctx).toBeLessThan(500);
  expect(res.headers.get("content-type"), ctx).toMatch(/^application\/json/);
  expect(text, ctx).not.toMatch(/SECRET|sk-upstream|upstream-internal/);
  const body = JSON.parse(text) as { type?: string; error: Record<string, unknown> };
  if (shape === "openai") {
    expect(Object.keys(body), ctx).toEqual(["error"]);
    expect(Object.keys(body.error).sort(), ctx).toEqual(["code", "message", "param", "type"]);
    expect(typeof body.error.code === "string" && body.error.code.length > 0, ctx).toBe(true);
    expect(body.error.param === null || typeof body.error.param === "string", ctx).toBe(true);
  } else {
    expect(Object.keys(body).sort(), ctx).toEqual(["error", "type"]);
    expect(body.type, ctx).toBe("error");
    expect(Object.keys(body.error).sort(), ctx).toEqual(["message", "type"]);
  }
  expect(typeof body.error.message === "string" && (body.error.message as string).length > 0, ctx).toBe(true);
  // Anthropic's shape uses Anthropic's type names (issue 13): billing_error for 402, not_found_error for 404.
  const expected = shape === "anthropic" ? [anthropicErrorType(res.status)] : TYPES[res.status];
  expect((allowRateLimit && res.status === 429 ? ["rate_limit_error"] : expected) ?? [], ctx).toContain(body.error.type);
  return { status: res.status, ...(body.error as { type: string; message: string }) };
}
/** Everything a request could charge or write for one user: DO balance, holds, ledger, keys, tables, D1 rows. */
export async function books(userId: string) {
  const stub = account(userId);
  await settled(userId);
  const tables = await runInDurableObject(stub, (_o, state) => Object.fromEntries(["requests", "rate_events", "outbox", "ledger", "api_keys"]
    .map((t) => [t, state.storage.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM ${t}`).one().n])));
  const d1 = await env.DB.prepare("SELECT (SELECT count(*) FROM usage_logs WHERE user_id = ?1) AS usage_logs, (SELECT count(*) FROM transactions WHERE user_id = ?1) AS transactions, (SELECT count(*) FROM usage_logs) AS all_usage_logs")
    .bind(userId).first();
  return { summary: await stub.summary(), ledger: await stub.ledger(1000), keys: await stub.listKeys(), tables, d1 };
}
export type Books = Awaited<ReturnType<typeof books>>;
/** The cheap check after every input: balance, holds, in-flight count and outbox are as before. */
export async function quick(userId: string, before: Books) {
  expect(await account(userId).summary()).toEqual(before.summary);
}

export const PIECES = ["😀", "👩‍👩‍👧‍👦", "🏳️‍🌈", "\u0000", "\u0007", "\b", "\t", "\n", "\r\n", "\u001b[2J", "\u007f", "\u0085", "\u00a0", "\u200b",
  "\u200d", "\u202e", "\u2028", "\u2029", "\ufeff", "\ufffd", "\uffff", "\ud800", "\udbff", "\udc00", "\udfff", "\udfff\ud800", "%00", "%ff",
  "../", "..\\", "\\u0000", "\"", "'", "`", "<script>", "${x}", "{{x}}", "__proto__", "constructor", "null", "NaN", "ｔｅｓｔ", "İ", "\u0301", "中文", " ", "/", "?", "#", "&"];
/** Strings mixing emoji, control characters, lone surrogates, bidi and zero-width marks. */
export const hostile = fc.array(fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...PIECES) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 6 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)) },
), { minLength: 1, maxLength: 12 }).map((a) => a.join(""));
export const json = fc.jsonValue({ maxDepth: 3 });
export const nn = <T>(a: fc.Arbitrary<T>) => a.filter((v) => v !== null);
export const notString = json.filter((v) => typeof v !== "string");
export const notNumber = json.filter((v) => typeof v !== "number");
export const notBool = json.filter((v) => typeof v !== "boolean");
export const notArray = json.filter((v) => !Array.isArray(v));
export const notObject = json.filter((v) => v === null || typeof v !== "object" || Array.isArray(v));
export const longStr = (min: number, max: number) => fc.integer({ min, max }).map((n) => "x".repeat(n));
export const fraction = fc.double({ min: -1e12, max: 1e12, noNaN: true }).filter((d) => !Number.isInteger(d));
export const outside = (lo: number, hi: number) => fc.oneof(fc.double({ min: hi + 1e-6, max: 1e300, noNaN: true }), fc.double({ min: -1e300, max: lo - 1e-6, noNaN: true }), nn(notNumber));
/** max_tokens values the schema must refuse: zero, negative, fractional, beyond 10,000,000, not a number. */
export const badMaxTokens = fc.oneof(
  fc.integer({ min: -1e9, max: 0 }), fc.integer({ min: 10_000_001, max: Number.MAX_SAFE_INTEGER }), fraction, nn(notNumber),
  fc.constantFrom(1e21, 1e300, -1e300, Number.MAX_VALUE, 2 ** 53, -(2 ** 53), 0.5, 4096.0001, 1e-7),
);
