import type { CatalogModel } from "../catalog/catalog";
import type { TokenUsage } from "../providers/types";
import { costNano, type Nano } from "../lib/money";

/** The prices a cost is computed from; cacheWrite1hPrice is optional for callers that do not know it. */
export type PriceList = Pick<CatalogModel, "inputPrice" | "outputPrice" | "cachedInputPrice" | "cacheWritePrice"> & { cacheWrite1hPrice?: number | null };

/** Price of a cache write with a 1-hour TTL: the catalog's, or Anthropic's rule (2× input) when it has none. */
export function oneHourWritePrice(m: Pick<PriceList, "inputPrice" | "cacheWrite1hPrice">): number {
  return m.cacheWrite1hPrice ?? 2 * m.inputPrice;
}

/**
 * cost = (uncached prompt × input + cached × cached-input + 5-minute cache writes × cache-write
 *         + 1-hour cache writes × cache-write-1h + completion × output) / 1,000,000,
 * prices per 1M tokens. Cached and 5-minute cache-write tokens fall back to the input price when
 * the catalog has no separate price; 1-hour writes to 2× input (oneHourWritePrice).
 */
export function priceTokens(u: TokenUsage, m: PriceList): Nano {
  const uncached = Math.max(0, u.promptTokens - u.cachedTokens - u.cacheWriteTokens);
  const oneHour = Math.min(Math.max(0, u.cacheWrite1hTokens ?? 0), u.cacheWriteTokens);
  return costNano([
    [uncached, m.inputPrice],
    [u.cachedTokens, m.cachedInputPrice ?? m.inputPrice],
    [u.cacheWriteTokens - oneHour, m.cacheWritePrice ?? m.inputPrice],
    [oneHour, oneHourWritePrice(m)],
    [u.completionTokens, m.outputPrice],
  ]);
}

/** True when an Anthropic Messages body asks for a 1-hour cache anywhere (`cache_control.ttl: "1h"`) in system, messages or tools. */
export function usesOneHourCache(body: { system?: unknown; messages?: unknown; tools?: unknown }): boolean {
  const blocks = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  const oneHour = (b: unknown) => {
    const cc = b && typeof b === "object" ? (b as { cache_control?: { ttl?: unknown } }).cache_control : undefined;
    return cc?.ttl === "1h";
  };
  if (blocks(body.system).some(oneHour) || blocks(body.tools).some(oneHour)) return true;
  return blocks(body.messages).some((m) => oneHour(m) || blocks((m as { content?: unknown } | null)?.content).some(oneHour));
}
