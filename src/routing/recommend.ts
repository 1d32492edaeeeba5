import type { Catalog, CatalogModel } from "../catalog/catalog";
import type { MaxPrice } from "./auto";
import { channelProviders } from "./available";
import type { TaskType } from "./classify";
import { measuredEnough, scoreList, scoreText, type ModelStats, type StatsByModel } from "./measured";
import { PREFERENCES, preferenceNote } from "./preferences";

export interface Recommendation {
  model: CatalogModel;
  /** 1-based position in this answer (configured models first). */
  rank: number;
  /** 1-based position in the task's preference list. */
  listRank: number;
  available: boolean;
  /** The documented score (src/routing/measured.ts); null while the list has no measurements (list order applies). */
  score: number | null;
  /** The measured figures behind it (null: this model has none yet). */
  measured: ModelStats | null;
  /** One line: list position, why the model is listed, its score and measurements, and availability. */
  why: string;
}

/** Capabilities a task implies on its own (there is no request to read them from). */
function taskCaps(task: TaskType): string[] {
  return task === "vision" ? ["vision"] : task === "tools" ? ["tools"] : [];
}

/**
 * The ranked models for a task: the task's preference list restricted to catalog chat models with
 * the task's own capability (vision / tools) and, when given, within maxPrice. Models for which
 * `available` is true come first. Within each group: by score (src/routing/measured.ts) once the
 * list has measurements (some model with ≥ MIN_MEASURED_REQUESTS requests), else in list order.
 * Model "auto" uses the same order (rankedIds).
 */
export function recommendations(
  task: TaskType, catalog: Catalog, available?: (m: CatalogModel) => boolean, opts: { maxPrice?: MaxPrice; stats?: StatsByModel } = {},
): Recommendation[] {
  const caps = taskCaps(task);
  const stats = opts.stats ?? new Map<string, ModelStats>();
  const scores = scoreList(PREFERENCES[task], catalog, stats);
  const byScore = measuredEnough(PREFERENCES[task], stats);
  const rows: Array<Omit<Recommendation, "rank">> = [];
  PREFERENCES[task].forEach((id, i) => {
    const m = catalog.models.get(id);
    if (!m || m.kind !== "chat" || !caps.every((c) => m.capabilities.includes(c))) return;
    if (opts.maxPrice && (m.inputPrice > opts.maxPrice.prompt || m.outputPrice > opts.maxPrice.completion)) return;
    const ok = available ? available(m) : true;
    const s = scores.get(id)!;
    rows.push({
      model: m, listRank: i + 1, available: ok, score: byScore ? s.score : null, measured: s.stats,
      why: `#${i + 1} in the ${task} list: ${preferenceNote(task, id)}${byScore ? `; ${scoreText(s)}` : ""}`
        + (ok ? "" : `; not served here: no configured provider (${channelProviders(m).join(", ")})`),
    });
  });
  if (byScore) rows.sort((a, b) => (b.score ?? 0) - (a.score ?? 0) || a.listRank - b.listRank);
  const ordered = [...rows.filter((r) => r.available), ...rows.filter((r) => !r.available)];
  return ordered.map((r, i) => ({ ...r, rank: i + 1 }));
}
