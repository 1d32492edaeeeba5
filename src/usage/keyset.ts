import { sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { z } from "zod";
import { ApiError } from "../errors";

/**
 * Keyset pagination over (created_at, id): a page continues strictly after the last row of the
 * previous one, so rows inserted meanwhile never shift a page (no duplicates, no gaps), and each
 * page is one index range read whatever its depth. The cursor is opaque to clients.
 */
export interface Position { t: number; id: string }

export function encodeCursor(p: Position): string {
  return btoa(JSON.stringify([p.t, p.id])).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

const decoded = z.tuple([z.number().int().min(0), z.string().min(1).max(64)]);

export function decodeCursor(cursor: string): Position {
  try {
    const [t, id] = decoded.parse(JSON.parse(atob(cursor.replace(/-/g, "+").replace(/_/g, "/"))));
    return { t, id };
  } catch {
    throw new ApiError(400, "invalid_cursor", "Invalid cursor: pass back next_cursor from the previous page unchanged.", { param: "cursor" });
  }
}

/** Rows strictly after `p` in the given order (a row-value comparison SQLite reads as an index range). */
export function afterPosition(time: SQLiteColumn, id: SQLiteColumn, p: Position, order: "asc" | "desc"): SQL {
  return order === "desc" ? sql`(${time}, ${id}) < (${p.t}, ${p.id})` : sql`(${time}, ${id}) > (${p.t}, ${p.id})`;
}

/** Fetch limit + 1 rows; this trims the extra one and says where the next page starts (null: no more). */
export function page<R>(rows: R[], limit: number, position: (r: R) => Position): { data: R[]; next_cursor: string | null } {
  const data = rows.slice(0, limit);
  return { data, next_cursor: rows.length > limit ? encodeCursor(position(data.at(-1)!)) : null };
}

/** Query fields shared by lists: ?limit=&cursor= */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().min(1).max(200).optional(),
};

/** ISO 8601 time (or a date, meaning 00:00 UTC) → Unix ms. */
export const isoTime = z.union([z.iso.datetime({ offset: true }), z.iso.date()]).transform((v) => Date.parse(v));
