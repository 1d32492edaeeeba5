import { z } from "zod";
import type { ModelRow } from "../db/schema";
import { parsePricePerMillion } from "../lib/money";

const usdPerM = z.string().regex(/^\d{1,6}(\.\d{1,12})?$/, "USD per 1M tokens as a decimal string").nullable();

/**
 * A dataset of model prices, normalised by scripts/catalog-dataset.mjs from a maintained package
 * (@pydantic/genai-prices): one entry per catalog model it matched, with the dataset's own
 * provider and model ids and numbers as read, so every number can be traced back.
 */
export const datasetSchema = z.strictObject({
  source: z.string().min(1).max(200),
  read_at: z.iso.datetime(),
  models: z.array(z.strictObject({
    model_id: z.string().min(1).max(200),
    dataset_provider: z.string().min(1).max(100),
    dataset_model: z.string().min(1).max(200),
    input_mtok: usdPerM,
    output_mtok: usdPerM,
    cache_read_mtok: usdPerM,
    cache_write_mtok: usdPerM,
    context_window: z.number().int().positive().nullable(),
    deprecated: z.boolean(),
  })).max(2000),
});
export type Dataset = z.infer<typeof datasetSchema>;
type Entry = Dataset["models"][number];

export interface Markup { globalBp: number; perModelBp: Record<string, number> }

export interface PriceChange {
  modelId: string;
  /** µUSD per 1M tokens, before and after (after = the dataset's number with the markup, rounded up). */
  from: { input: number; output: number; cachedInput: number | null; cacheWrite: number | null };
  to: { input: number; output: number; cachedInput: number | null; cacheWrite: number | null };
  contextLength: { from: number; to: number | null };
  /** `<source> <provider>/<model>`: where every number of `to` was read. */
  source: string;
  markupBp: number;
  dataset: Entry;
}

export interface ImportDiff { changes: PriceChange[]; endOfLife: string[]; unknown: string[]; unchanged: string[] }

/** µUSD per 1M tokens with a markup in basis points, rounded up (the operator never sells below the dataset price). */
export function marked(usd: string | null, bp: number): number | null {
  if (usd === null) return null;
  // Beyond 6 decimals (below 1 µUSD per 1M tokens) the price is rounded up, never down.
  const extra = /\.\d{6}(\d+)$/.exec(usd)?.[1] ?? "";
  const base = parsePricePerMillion(usd.replace(/(\.\d{6})\d+$/, "$1"));
  if (base === null) return null;
  const micro = base + (/[1-9]/.test(extra) ? 1 : 0);
  return Math.ceil((micro * (10_000 + bp)) / 10_000);
}

function target(row: ModelRow, e: Entry, bp: number): PriceChange["to"] {
  return {
    input: marked(e.input_mtok, bp) ?? row.inputPrice,
    output: marked(e.output_mtok, bp) ?? row.outputPrice,
    cachedInput: e.cache_read_mtok === null ? row.cachedInputPrice : marked(e.cache_read_mtok, bp),
    cacheWrite: e.cache_write_mtok === null ? row.cacheWritePrice : marked(e.cache_write_mtok, bp),
  };
}

/** What importing the dataset would change in the catalog; nothing is written. */
export function diffCatalog(rows: ModelRow[], dataset: Dataset, markup: Markup): ImportDiff {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const diff: ImportDiff = { changes: [], endOfLife: [], unknown: [], unchanged: [] };
  for (const e of dataset.models) {
    const row = byId.get(e.model_id);
    if (!row) {
      diff.unknown.push(e.model_id);
      continue;
    }
    if (e.deprecated && row.enabled) diff.endOfLife.push(row.id);
    const bp = markup.perModelBp[row.id] ?? markup.globalBp;
    const from = { input: row.inputPrice, output: row.outputPrice, cachedInput: row.cachedInputPrice, cacheWrite: row.cacheWritePrice };
    const to = target(row, e, bp);
    const contextTo = e.context_window;
    if (JSON.stringify(from) === JSON.stringify(to) && (contextTo === null || contextTo === row.contextLength)) {
      diff.unchanged.push(row.id);
      continue;
    }
    diff.changes.push({
      modelId: row.id, from, to, contextLength: { from: row.contextLength, to: contextTo }, markupBp: bp, dataset: e,
      source: `${dataset.source} ${e.dataset_provider}/${e.dataset_model}`,
    });
  }
  return diff;
}
