import { eq } from "drizzle-orm";
import { database } from "../db/client";
import { modelAliases, modelChannels, models, type ModelChannelRow, type ModelRow } from "../db/schema";
import type { Env } from "../env";

/** One way to serve a model: a provider and its name for the model. */
export interface Channel {
  id: string;
  provider: string;
  upstreamModel: string;
  priority: number;
  weight: number;
}

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
  /** Cache writes with a 1-hour TTL (null: 2× input, billing/pricing.ts). */
  cacheWrite1hPrice?: number | null;
  capabilities: string[];
  priceSource: string;
  priceUpdatedAt: string;
  /** Serving channels, lowest priority first (never empty). */
  channels: Channel[];
}

export interface Catalog {
  models: Map<string, CatalogModel>;
  aliases: Map<string, string>;
}

const TTL_MS = 30_000;
let cache: { at: number; demo: boolean; catalog: Catalog } | null = null;

function toModel(r: ModelRow, channels: ModelChannelRow[]): CatalogModel {
  const serving = channels.filter((ch) => ch.enabled).sort((a, b) => a.priority - b.priority)
    .map((ch) => ({ id: ch.id, provider: ch.provider, upstreamModel: ch.upstreamModel, priority: ch.priority, weight: Math.max(1, ch.weight) }));
  return {
    id: r.id, name: r.name, provider: r.provider, upstreamModel: r.upstreamModel, kind: r.kind,
    contextLength: r.contextLength, maxOutputTokens: r.maxOutputTokens, inputPrice: r.inputPrice, outputPrice: r.outputPrice,
    cachedInputPrice: r.cachedInputPrice, cacheWritePrice: r.cacheWritePrice, cacheWrite1hPrice: r.cacheWrite1hPrice ?? null, capabilities: JSON.parse(r.capabilities) as string[],
    priceSource: r.priceSource, priceUpdatedAt: r.priceUpdatedAt,
    channels: serving.length ? serving : [{ id: `${r.id}@${r.provider}`, provider: r.provider, upstreamModel: r.upstreamModel, priority: 0, weight: 1 }],
  };
}

/**
 * The model catalog lives in D1 so operators can change prices without a deploy. Each isolate
 * keeps it in memory for 30 s, so the request path does not read D1. The demo model is listed
 * only when the demo provider is on.
 */
export async function loadCatalog(env: Env, demo: boolean, now = Date.now()): Promise<Catalog> {
  if (cache && cache.demo === demo && now - cache.at < TTL_MS) return cache.catalog;
  const db = database(env.DB);
  const [rows, channelRows, aliasRows] = await Promise.all([
    db.select().from(models).all(), db.select().from(modelChannels).all(), db.select().from(modelAliases).all(),
  ]);
  const byModel = Map.groupBy(channelRows, (ch) => ch.modelId);
  const map = new Map<string, CatalogModel>();
  for (const r of rows) {
    if (!r.enabled || (r.provider === "demo" && !demo)) continue;
    map.set(r.id, toModel(r, byModel.get(r.id) ?? []));
  }
  const aliases = new Map(aliasRows.filter((a) => map.has(a.modelId)).map((a) => [a.alias, a.modelId]));
  cache = { at: now, demo, catalog: { models: map, aliases } };
  return cache.catalog;
}

/** Forget the cached catalog (after an operator edit, and in tests). */
export function invalidateCatalog(): void {
  cache = null;
}

/** Finds a model by id or alias, also accepting the "provider/id" form (e.g. "openai/gpt-4o"). */
export function findModel(catalog: Catalog, id: string): CatalogModel | undefined {
  const direct = catalog.models.get(id) ?? catalog.models.get(catalog.aliases.get(id) ?? "");
  if (direct) return direct;
  const slash = id.indexOf("/");
  if (slash > 0) {
    const m = findModel(catalog, id.slice(slash + 1));
    if (m && m.provider === id.slice(0, slash)) return m;
  }
  return undefined;
}

/** Every catalog row, disabled models included, in table order. */
export async function allModels(env: Env): Promise<ModelRow[]> {
  return database(env.DB).select().from(models).all();
}

/** Every catalog row, disabled models included, by id. */
export async function modelsById(env: Env): Promise<ModelRow[]> {
  return database(env.DB).select().from(models).orderBy(models.id).all();
}

/** Changes one model's row; answers the new row, or undefined when there is no such model. */
export async function updateModel(env: Env, id: string, changes: Partial<typeof models.$inferInsert>): Promise<ModelRow | undefined> {
  return database(env.DB).update(models).set(changes).where(eq(models.id, id)).returning().get();
}
