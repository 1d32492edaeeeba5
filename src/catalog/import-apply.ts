import { emailInsert } from "../email/outbox";
import type { Env } from "../env";
import { invalidateCatalog } from "./catalog";
import type { Dataset, ImportDiff, PriceChange } from "./import";

/** How far back "models they used" looks for the price-change notice. */
const NOTICE_LOOKBACK_MS = 90 * 86_400_000;

export interface Applied { versions: string[]; disabled: string[]; noticesQueued: number; effectiveAt: string }

/** µUSD per 1M tokens as USD per 1M, exact: 440000 → "0.44". */
const perM = (micro: number | null) => (micro === null ? "none" : `${Math.floor(micro / 1e6)}.${String(micro % 1e6).padStart(6, "0").replace(/0{1,4}$/, "")}`);

function describe(c: PriceChange): string {
  return `${c.modelId}: input ${perM(c.from.input)} → ${perM(c.to.input)}, output ${perM(c.from.output)} → ${perM(c.to.output)} USD per 1M tokens (source: ${c.source})`;
}

function changeStatements(env: Env, c: PriceChange, dataset: Dataset, stamp: string, now: number): D1PreparedStatement[] {
  return [
    // The version being replaced, recorded once, so usage billed at it still resolves.
    env.DB.prepare(`INSERT OR IGNORE INTO price_versions (id, model_id, input_price, output_price, cached_input_price, cache_write_price, source, read_at, markup_bp, created_at)
      SELECT id || '@' || price_updated_at, id, input_price, output_price, cached_input_price, cache_write_price, price_source, price_updated_at, 0, ? FROM models WHERE id = ?`).bind(now, c.modelId),
    env.DB.prepare(`INSERT INTO price_versions (id, model_id, input_price, output_price, cached_input_price, cache_write_price, source, read_at, markup_bp, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).bind(`${c.modelId}@${stamp}`, c.modelId, c.to.input, c.to.output, c.to.cachedInput, c.to.cacheWrite, c.source, dataset.read_at, c.markupBp, now),
    env.DB.prepare(`UPDATE models SET input_price = ?, output_price = ?, cached_input_price = ?, cache_write_price = ?, context_length = coalesce(?, context_length),
      price_source = ?, price_updated_at = ? WHERE id = ?`).bind(c.to.input, c.to.output, c.to.cachedInput, c.to.cacheWrite, c.contextLength.to, c.source, stamp, c.modelId),
  ];
}

/** One notice per user who used a changed model in the last 90 days, naming those models' old and new prices; idempotent per import and user. */
async function queueNotices(env: Env, changes: PriceChange[], stamp: string, now: number): Promise<number> {
  if (changes.length === 0) return 0;
  const ids = changes.map((c) => c.modelId);
  const { results } = await env.DB.prepare(`SELECT DISTINCT l.user_id AS user_id, l.model AS model, u.email AS email FROM usage_rollups l JOIN users u ON u.id = l.user_id
    WHERE l.model IN (${ids.map(() => "?").join(", ")}) AND l.hour > ? AND u.deleted_at IS NULL AND u.status <> 'deleted'`)
    .bind(...ids, now - NOTICE_LOOKBACK_MS - 3_600_000).all<{ user_id: string; model: string; email: string }>();
  const byUser = new Map<string, { email: string; models: Set<string> }>();
  for (const r of results) {
    const u = byUser.get(r.user_id) ?? { email: r.email, models: new Set<string>() };
    u.models.add(r.model);
    byUser.set(r.user_id, u);
  }
  const stmts = [...byUser].map(([userId, u]) => emailInsert(env, {
    userId, to: u.email, template: "price_change",
    data: { models: changes.filter((c) => u.models.has(c.modelId)).map(describe).join("; "), effective_date: stamp.slice(0, 10) },
  }, `eml_price_${stamp}_${userId}`, now, true));
  for (let i = 0; i < stmts.length; i += 50) await env.DB.batch(stmts.slice(i, i + 50));
  return stmts.length;
}

/**
 * Applies a reviewed diff: each changed model gets its new prices (source and date of the
 * dataset), a new price version `<model>@<now>` (and its old one recorded), models past their
 * end of life are disabled, and users who used a changed model are emailed. One D1 batch for the catalog.
 */
export async function applyImport(env: Env, diff: ImportDiff, dataset: Dataset, now = Date.now()): Promise<Applied> {
  const stamp = new Date(now).toISOString();
  const stmts = diff.changes.flatMap((c) => changeStatements(env, c, dataset, stamp, now));
  for (const id of diff.endOfLife) stmts.push(env.DB.prepare("UPDATE models SET enabled = 0 WHERE id = ?").bind(id));
  if (stmts.length) await env.DB.batch(stmts);
  invalidateCatalog();
  const noticesQueued = await queueNotices(env, diff.changes, stamp, now);
  return { versions: diff.changes.map((c) => `${c.modelId}@${stamp}`), disabled: diff.endOfLife, noticesQueued, effectiveAt: stamp };
}
