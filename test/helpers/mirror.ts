import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { env } from "cloudflare:test";
import { TEST_PRICE } from "./catalog";

/** What the stand-in's `mirror` scenario received: every request header (lower-cased) and the body. */
export type Mirrored = { headers: Record<string, string>; body: Record<string, unknown> };

/**
 * The honest usage the `mirror` scenario reports for a reply, and its cost at the test prices:
 * 11 prompt tokens, and the reply's own o200k count out.
 */
export function mirrorBill(content: string): { promptTokens: number; completionTokens: number; costNano: number } {
  const completionTokens = countTokens(content); // as the stand-in counts it: the whole text at once
  return { promptTokens: 11, completionTokens, costNano: 11 * (TEST_PRICE.input / 1000) + completionTokens * (TEST_PRICE.output / 1000) };
}

/** The stand-in's root URL (its request log is at /__requests). */
const standinRoot = (): string => new URL((env as unknown as { OPENAI_BASE_URL: string }).OPENAI_BASE_URL).origin;

/** What the stand-in received for one upstream model name, oldest first (see test/standin/request-log.ts). */
export async function upstreamRequests(model: string): Promise<Mirrored[]> {
  const res = await fetch(`${standinRoot()}/__requests?model=${encodeURIComponent(model)}`);
  const text = await res.text();
  const { requests } = JSON.parse(text) as { requests?: Mirrored[] };
  if (!requests) throw new Error(`the stand-in's request log answered ${res.status}: ${text.slice(0, 300)}`);
  return requests;
}
