import type { Position } from "./keyset";

/** Rows per D1 query while streaming an export: memory stays at one page whatever the export's size. */
export const EXPORT_PAGE = 1000;

export type Cell = string | number | boolean | null;

export interface Column<R> {
  name: string;
  value: (r: R) => Cell;
  /** Free text (not a number or fixed code): guarded against spreadsheet formula injection in CSV. */
  text?: boolean;
}

/** What an export reads: its columns and keyset pages in ascending order. */
export interface ExportSource<R> {
  name: string;
  columns: Column<R>[];
  page(after: Position | null, size: number): Promise<R[]>;
  position(r: R): Position;
}

export type ExportFormat = "csv" | "json";

/** One CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF, quotes doubled. */
export function csvField(value: Cell, text = false): string {
  if (value === null) return "";
  let s = String(value);
  // A leading = + - @ (or tab/CR) would make a spreadsheet evaluate the cell as a formula.
  if (text && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csvRow(cells: string[]): string {
  return `${cells.join(",")}\r\n`;
}

/**
 * The export as a byte stream: a header row (CSV) or "[" (JSON), then one D1 page per pull, so a
 * slow reader slows the queries down instead of the rows piling up in memory.
 */
export function exportStream<R>(src: ExportSource<R>, format: ExportFormat): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let after: Position | null = null;
  let started = false;
  let rowsWritten = 0;
  const render = (r: R): string => {
    if (format === "csv") return csvRow(src.columns.map((c) => csvField(c.value(r), c.text)));
    const object = Object.fromEntries(src.columns.map((c) => [c.name, c.value(r)]));
    return `${rowsWritten++ === 0 ? "\n" : ",\n"}${JSON.stringify(object)}`;
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(format === "csv" ? csvRow(src.columns.map((c) => csvField(c.name))) : "["));
        return;
      }
      const rows = await src.page(after, EXPORT_PAGE);
      let chunk = rows.map(render).join("");
      if (rows.length > 0) after = src.position(rows.at(-1)!);
      const done = rows.length < EXPORT_PAGE;
      if (done && format === "json") chunk += rowsWritten > 0 ? "\n]\n" : "]\n";
      if (chunk) controller.enqueue(encoder.encode(chunk));
      if (done) controller.close();
    },
  });
}

/** A download: no Content-Length (the body is streamed), a dated file name, never cached. */
export function exportResponse<R>(src: ExportSource<R>, format: ExportFormat, now = Date.now()): Response {
  const date = new Date(now).toISOString().slice(0, 10);
  return new Response(exportStream(src, format), {
    headers: {
      "content-type": format === "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8",
      "content-disposition": `attachment; filename="${src.name}-${date}.${format}"`,
      "cache-control": "no-store",
    },
  });
}
