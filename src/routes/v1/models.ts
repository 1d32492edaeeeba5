import { Hono } from "hono";
import { z } from "zod";
import { findModel, loadCatalog, type CatalogModel } from "../../catalog/catalog";
import { formatPricePerToken } from "../../lib/money";
import { config } from "../../config";
import type { BaseEnv, Env } from "../../env";
import { ApiError } from "../../errors";
import { validate } from "../../middleware/validate";
import { servableOn } from "../../routing/available";

const created = (m: CatalogModel) => Math.floor(Date.parse(m.priceUpdatedAt) / 1000) || 0;

/** One catalog entry in OpenAI's list shape plus OpenRouter's fields (pricing in USD per token, as decimal strings). */
export function modelView(m: CatalogModel) {
  return {
    id: m.id,
    object: "model",
    created: created(m),
    owned_by: m.provider,
    name: m.name,
    context_length: m.contextLength,
    max_output_tokens: m.maxOutputTokens,
    kind: m.kind,
    capabilities: m.capabilities,
    pricing: {
      prompt: formatPricePerToken(m.inputPrice),
      completion: formatPricePerToken(m.outputPrice),
      input_cache_read: m.cachedInputPrice === null ? null : formatPricePerToken(m.cachedInputPrice),
      input_cache_write: m.cacheWritePrice === null ? null : formatPricePerToken(m.cacheWritePrice),
      input_cache_write_1h: m.cacheWrite1hPrice == null ? null : formatPricePerToken(m.cacheWrite1hPrice),
    },
    price_source: m.priceSource,
    price_updated_at: m.priceUpdatedAt,
  };
}

/** An entry plus `available`: whether a provider of the model is configured here (the dashboard's playground reads it). */
function listedView(env: Env, demo: boolean) {
  const servable = servableOn(env, demo);
  return (m: CatalogModel) => ({ ...modelView(m), available: servable(m) });
}

/** GET /models — the public catalog (no key needed, P3). */
export const models = new Hono<BaseEnv>()
  .get("/models", async (c) => {
    const demo = config(c.env).demoProvider;
    const catalog = await loadCatalog(c.env, demo);
    return c.json({ object: "list", data: [...catalog.models.values()].map(listedView(c.env, demo)) });
  })
  .get("/models/:id{.+}", validate("param", z.object({ id: z.string().min(1).max(256) })), async (c) => {
    const { id } = c.req.valid("param");
    const demo = config(c.env).demoProvider;
    const m = findModel(await loadCatalog(c.env, demo), id);
    if (!m) throw new ApiError(404, "model_not_found", `The model '${id}' does not exist.`, { param: "model", type: "invalid_request_error" });
    return c.json(listedView(c.env, demo)(m));
  });
