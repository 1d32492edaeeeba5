import { expect } from "vitest";

export type ErrorBody = { error: { message: string; type: string; code: string; param: string | null } };

/** Asserts the exact OpenAI error shape {error:{message,type,code,param}} with the given values. */
export async function expectError(res: Response, status: number, code: string, type: string, param: string | null): Promise<ErrorBody & { text: string }> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  const body = JSON.parse(text) as ErrorBody;
  expect(Object.keys(body)).toEqual(["error"]);
  expect(Object.keys(body.error).sort()).toEqual(["code", "message", "param", "type"]);
  expect(body.error).toMatchObject({ code, type, param });
  expect(body.error.message.length).toBeGreaterThan(0);
  return { ...body, text };
}

export const RATE_HEADERS = [
  "x-ratelimit-limit-requests", "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests",
  "x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens",
] as const;
