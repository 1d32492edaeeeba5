import { Hono } from "hono";
import { z } from "zod";
import { applyImport } from "../../catalog/import-apply";
import { datasetSchema, diffCatalog, type PriceChange } from "../../catalog/import";
import { allModels } from "../../catalog/catalog";
import { validate } from "../../middleware/validate";
import type { AdminEnv } from "../../middleware/admin-auth";

const bp = z.number().int().min(0).max(100_000);
const body = z.strictObject({
  dataset: datasetSchema,
  apply: z.boolean().default(false),
  markup_bp: bp.default(0),
  model_markup_bp: z.record(z.string(), bp).default({}),
});

const changeJson = (c: PriceChange) => ({
  model: c.modelId, source: c.source, markup_bp: c.markupBp, from: c.from, to: c.to, context_length: c.contextLength,
  dataset: { input_mtok: c.dataset.input_mtok, output_mtok: c.dataset.output_mtok, cache_read_mtok: c.dataset.cache_read_mtok, cache_write_mtok: c.dataset.cache_write_mtok },
});

/**
 * Operator API: POST /catalog/import { dataset, apply?, markup_bp?, model_markup_bp? }. Without
 * `apply` it only answers the difference (prices in µUSD per 1M tokens, each with its dataset
 * source); with it, applies (src/catalog/import-apply.ts). scripts/catalog-import.mjs builds the
 * dataset from the @pydantic/genai-prices package and calls this.
 */
export const adminCatalogImport = new Hono<AdminEnv>().post("/catalog/import", validate("json", body), async (c) => {
  const b = c.req.valid("json");
  const rows = await allModels(c.env);
  const diff = diffCatalog(rows, b.dataset, { globalBp: b.markup_bp, perModelBp: b.model_markup_bp });
  const applied = b.apply ? await applyImport(c.env, diff, b.dataset) : null;
  return c.json({
    changes: diff.changes.map(changeJson), end_of_life: diff.endOfLife, unknown: diff.unknown, unchanged: diff.unchanged.length,
    applied: applied ? { price_versions: applied.versions, disabled: applied.disabled, notices_queued: applied.noticesQueued, effective_at: applied.effectiveAt } : null,
  });
});
