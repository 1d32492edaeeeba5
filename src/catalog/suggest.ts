import type { Catalog, CatalogModel } from "./catalog";

/** Levenshtein distance, capped: anything above `cap` is reported as cap + 1. */
export function editDistance(a: string, b: string, cap = 64): number {
  if (Math.abs(a.length - b.length) > cap) return cap + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return Math.min(prev[b.length]!, cap + 1);
}

function commonPrefix(a: string, b: string): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

/**
 * Up to `limit` catalog ids (of the wanted kind) nearest to an unknown id: those sharing the
 * longest prefix first, then the smallest edit distance. Names that share nothing useful (prefix
 * under 4 characters and distance over half the id) are left out, so a typo gets a hint and
 * nonsense gets none. Aliases count as names of their model.
 */
export function nearestModelIds(catalog: Catalog, wanted: string, kind: CatalogModel["kind"], limit = 3): string[] {
  const id = (wanted.includes("/") ? wanted.slice(wanted.indexOf("/") + 1) : wanted).toLowerCase().slice(0, 256);
  const names = new Map<string, string>();
  for (const m of catalog.models.values()) if (m.kind === kind) names.set(m.id, m.id);
  for (const [alias, target] of catalog.aliases) if (catalog.models.get(target)?.kind === kind) names.set(alias, target);
  const scored = [...names].map(([name, target]) => ({ target, prefix: commonPrefix(id, name.toLowerCase()), distance: editDistance(id, name.toLowerCase()) }))
    .filter((s) => s.prefix >= 4 || s.distance <= Math.floor(id.length / 2))
    .sort((a, b) => b.prefix - a.prefix || a.distance - b.distance || a.target.localeCompare(b.target));
  return [...new Set(scored.map((s) => s.target))].slice(0, limit);
}
