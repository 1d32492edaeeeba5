import { Hono } from "hono";
import { z } from "zod";
import { formatPricePerToken, parsePricePerMillion } from "../../lib/money";
import { invalidateCatalog, modelsById, updateModel } from "../../catalog/catalog";
import type { ModelRow } from "../../db/schema";
import { ApiError } from "../../errors";
import { validate } from "../../middleware/validate";
import type { AdminEnv } from "../../middleware/admin-auth";

const usdPerMillion = z.string().regex(/^\d{1,6}(\.\d{1,6})?$/, "USD per 1M tokens as a decimal string, e.g. \"2.50\"");

const priceUpdate = z.strictObject({
  input_usd_per_m: usdPerMillion.optional(),
  output_usd_per_m: usdPerMillion.optional(),
  cached_input_usd_per_m: usdPerMillion.nullable().optional(),
  cache_write_usd_per_m: usdPerMillion.nullable().optional(),
  cache_write_1h_usd_per_m: usdPerMillion.nullable().optional(),
  enabled: z.boolean().optional(),
  price_source: z.string().min(1).max(300),
});

const micro = (v: string | null | undefined) => (v === undefined ? undefined : v === null ? null : parsePricePerMillion(v)!);

/** Prices as USD per token, like /api/v1/models. */
const pricingView = (m: ModelRow) => ({
  prompt: formatPricePerToken(m.inputPrice), completion: formatPricePerToken(m.outputPrice),
  input_cache_read: m.cachedInputPrice === null ? null : formatPricePerToken(m.cachedInputPrice),
  input_cache_write: m.cacheWritePrice === null ? null : formatPricePerToken(m.cacheWritePrice),
  input_cache_write_1h: m.cacheWrite1hPrice == null ? null : formatPricePerToken(m.cacheWrite1hPrice),
});

/** A catalog price (µUSD per 1M tokens) as a USD-per-1M decimal string, the unit PATCH takes ("0.15"). */
function perMillion(micro: number): string {
  const whole = Math.floor(micro / 1_000_000);
  const frac = String(micro % 1_000_000).padStart(6, "0").replace(/0+$/, "");
  return frac ? `${whole}.${frac}` : `${whole}`;
}

/** The same prices in the unit of the PATCH fields, so an editor can show and prefill them as they are sent back. */
const perMillionView = (m: ModelRow) => ({
  input: perMillion(m.inputPrice), output: perMillion(m.outputPrice),
  cached_input: m.cachedInputPrice === null ? null : perMillion(m.cachedInputPrice),
  cache_write: m.cacheWritePrice === null ? null : perMillion(m.cacheWritePrice),
});

/**
 * Operator API: PATCH /models/:id changes a model's prices (USD per 1M tokens, decimal strings) or
 * switches it on or off, without a deploy. Every price change names its source and is dated.
 * Other isolates see it within the catalog cache's 30 seconds.
 */
export const adminModels = new Hono<AdminEnv>()
  // The whole catalog, disabled models included (the public /v1/models lists only enabled ones).
  .get("/models", async (c) => {
    const rows = await modelsById(c.env);
    return c.json({
      data: rows.map((m) => ({
        id: m.id, name: m.name, provider: m.provider, upstream_model: m.upstreamModel, kind: m.kind, enabled: m.enabled,
        context_length: m.contextLength, max_output_tokens: m.maxOutputTokens, capabilities: JSON.parse(m.capabilities) as string[],
        pricing: pricingView(m), usd_per_m: perMillionView(m), price_source: m.priceSource, price_updated_at: m.priceUpdatedAt,
      })),
    });
  })
  .patch(
    "/models/:id",
    validate("param", z.object({ id: z.string().min(1).max(256) })),
    validate("json", priceUpdate),
    async (c) => {
      const { id } = c.req.valid("param");
      const b = c.req.valid("json");
      const changes = {
        inputPrice: micro(b.input_usd_per_m), outputPrice: micro(b.output_usd_per_m),
        cachedInputPrice: micro(b.cached_input_usd_per_m), cacheWritePrice: micro(b.cache_write_usd_per_m),
        cacheWrite1hPrice: micro(b.cache_write_1h_usd_per_m),
        enabled: b.enabled, priceSource: b.price_source, priceUpdatedAt: new Date().toISOString().slice(0, 10),
      };
      const updated = await updateModel(c.env, id, Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)));
      if (!updated) throw new ApiError(404, "model_not_found", `No model '${id}'.`, { param: "id" });
      invalidateCatalog();
      return c.json({
        id: updated.id, enabled: updated.enabled,
        pricing: pricingView(updated), usd_per_m: perMillionView(updated),
        price_source: updated.priceSource, price_updated_at: updated.priceUpdatedAt,
      });
    },
  );
