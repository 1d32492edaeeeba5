import { database } from "../db/client";
import { models, type ModelRow } from "../db/schema";
import type { Env } from "../env";

export interface CatalogModel {
  id: string;
  name: string;
  provider: string;
  upstreamModel: string;
  kind: "chat" | "embedding";
  contextLength: number;
  maxOutputTokens: number | null;
  /** µUSD per 1M tokens = pUSD per token. */
  inputPrice: number;
  outputPrice: number;
  cachedInputPrice: number | null;
  cacheWritePrice: number | null;
  capabilities: string[];
  priceSource: string;
  priceUpdatedAt: string;
}

const TTL_MS = 30_000;
let cache: { at: number; demo: boolean; models: Map<string, CatalogModel> } | null = null;

function toModel(r: ModelRow): CatalogModel {
  return {
    id: r.id, name: r.name, provider: r.provider, upstreamModel: r.upstreamModel, kind: r.kind,
    contextLength: r.contextLength, maxOutputTokens: r.maxOutputTokens, inputPrice: r.inputPrice, outputPrice: r.outputPrice,
    cachedInputPrice: r.cachedInputPrice, cacheWritePrice: r.cacheWritePrice, capabilities: JSON.parse(r.capabilities) as string[],
    priceSource: r.priceSource, priceUpdatedAt: r.priceUpdatedAt,
  };
}

/**
 * The model catalog lives in D1 so operators can change prices without a deploy. Each isolate
 * keeps it in memory for 30 s, so the request path does not read D1. The demo model is listed
 * only when the demo provider is on.
 */
export async function loadCatalog(env: Env, demo: boolean, now = Date.now()): Promise<Map<string, CatalogModel>> {
  if (cache && cache.demo === demo && now - cache.at < TTL_MS) return cache.models;
  const rows = await database(env.DB).select().from(models).all();
  const map = new Map<string, CatalogModel>();
  for (const r of rows) {
    if (!r.enabled || (r.provider === "demo" && !demo)) continue;
    map.set(r.id, toModel(r));
  }
  cache = { at: now, demo, models: map };
  return map;
}

/** Forget the cached catalog (after an operator edit, and in tests). */
export function invalidateCatalog(): void {
  cache = null;
}

/** Finds a model by its id, also accepting the "provider/id" form (e.g. "openai/gpt-4o"). */
export function findModel(catalog: Map<string, CatalogModel>, id: string): CatalogModel | undefined {
  const direct = catalog.get(id);
  if (direct) return direct;
  const slash = id.indexOf("/");
  if (slash > 0) {
    const m = catalog.get(id.slice(slash + 1));
    if (m && m.provider === id.slice(0, slash)) return m;
  }
  return undefined;
}
