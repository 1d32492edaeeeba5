// Builds the catalog-import dataset (src/catalog/import.ts) from the maintained price dataset
// package @pydantic/genai-prices (MIT; a devDependency read at script time, never bundled into
// the worker). Numbers are copied as the package states them, as decimal strings, with the
// package's provider and model ids, so every price applied can be traced back to it.
import { findProvider } from "@pydantic/genai-prices";

/** Our catalog's provider names → the dataset's provider ids. */
export const PROVIDERS = { openai: "openai", anthropic: "anthropic", google: "google", deepseek: "deepseek", mistral: "mistral", groq: "groq", xai: "x-ai", moonshot: "moonshotai" };

function matches(logic, id) {
  if (!logic) return false;
  if (logic.or) return logic.or.some((l) => matches(l, id));
  if (logic.and) return logic.and.every((l) => matches(l, id));
  if (logic.equals !== undefined) return id === logic.equals;
  if (logic.starts_with !== undefined) return id.startsWith(logic.starts_with);
  if (logic.ends_with !== undefined) return id.endsWith(logic.ends_with);
  if (logic.contains !== undefined) return id.includes(logic.contains);
  if (logic.regex !== undefined) return new RegExp(logic.regex).test(id);
  return false;
}

/** A flat price (number) as a decimal string; a tiered or conditional price is not imported (null). */
const price = (v) => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? String(v) : null);

/** The dataset model a catalog model is sold as: same provider, matched on its upstream model id. */
export function findDatasetModel(provider, upstreamModel) {
  const datasetProvider = PROVIDERS[provider];
  const p = datasetProvider ? findProvider({ providerId: datasetProvider }) : undefined;
  const model = p?.models.find((m) => m.id === upstreamModel) ?? p?.models.find((m) => matches(m.match, upstreamModel));
  return model ? { provider: p.id, model } : null;
}

/** One dataset entry per catalog model the package knows with flat prices; `catalog` rows: { id, provider, upstream_model }. */
export function buildDataset(catalog, source, readAt = new Date()) {
  const models = [];
  for (const row of catalog) {
    const found = findDatasetModel(row.provider, row.upstream_model);
    if (!found || Array.isArray(found.model.prices)) continue;
    const p = found.model.prices;
    if (price(p.input_mtok) === null || price(p.output_mtok) === null) continue;
    models.push({
      model_id: row.id, dataset_provider: found.provider, dataset_model: found.model.id,
      input_mtok: price(p.input_mtok), output_mtok: price(p.output_mtok), cache_read_mtok: price(p.cache_read_mtok), cache_write_mtok: price(p.cache_write_mtok),
      context_window: found.model.context_window ?? null, deprecated: found.model.deprecated === true,
    });
  }
  return { source, read_at: readAt.toISOString(), models };
}
