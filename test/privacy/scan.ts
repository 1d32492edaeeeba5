import { env, runInDurableObject } from "cloudflare:test";
import { vi, type MockInstance } from "vitest";
import { account } from "../helpers/gateway";

// Storage scans for "this string is stored nowhere" promises (P16 content, P21 passwords):
// every row of every D1 table, every table and key-value entry of a user's Durable Object,
// and every console line. Each scan returns the hits, so a failure shows where the string was.

/** Text of any stored value: strings, numbers, blobs (decoded as UTF-8), objects (as JSON). */
export function textOf(value: unknown): string {
  if (value instanceof ArrayBuffer) return new TextDecoder().decode(value);
  if (ArrayBuffer.isView(value)) return new TextDecoder().decode(value);
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value, (_k, v: unknown) => (v instanceof ArrayBuffer || ArrayBuffer.isView(v) ? textOf(v) : v instanceof Map ? [...v] : v)) ?? String(value);
  } catch {
    return String(value);
  }
}
const rowText = (row: Record<string, unknown>) => Object.entries(row).map(([k, v]) => `${k}=${textOf(v)}`).join(" ");
const internal = (name: string) => /^(sqlite_|_cf_)/.test(name);
const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

export interface Scan { tables: string[]; hits: string[]; rows: number }

/** Scans every row of every D1 table for `marker`. */
export async function scanD1(marker: string): Promise<Scan> {
  const { results } = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all<{ name: string }>();
  const scan: Scan = { tables: [], hits: [], rows: 0 };
  for (const { name } of results) {
    let all: Record<string, unknown>[];
    try {
      all = (await env.DB.prepare(`SELECT * FROM ${quoted(name)}`).all()).results;
    } catch (err) {
      if (internal(name)) continue; // internal and unreadable
      throw err;
    }
    scan.tables.push(name);
    for (const row of all) {
      scan.rows++;
      if (rowText(row).includes(marker)) scan.hits.push(`D1 ${name}: ${rowText(row)}`);
    }
  }
  return scan;
}

/** Scans every row of every table of the user's DO SQLite database, and its key-value storage. */
export async function scanDO(userId: string, marker: string): Promise<Scan> {
  return runInDurableObject(account(userId), async (_instance, state) => {
    const sql = state.storage.sql;
    const names = sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").toArray().map((r) => r.name);
    const scan: Scan = { tables: [], hits: [], rows: 0 };
    for (const name of names) {
      let all: Record<string, unknown>[];
      try {
        all = sql.exec(`SELECT * FROM ${quoted(name)}`).toArray();
      } catch (err) {
        if (internal(name)) continue; // e.g. _cf_KV is not readable through SQL; it is read via list() below
        throw err;
      }
      scan.tables.push(name);
      for (const row of all) {
        scan.rows++;
        if (rowText(row).includes(marker)) scan.hits.push(`DO ${name}: ${rowText(row)}`);
      }
    }
    for (const [k, v] of await state.storage.list()) {
      scan.rows++;
      if (k.includes(marker) || textOf(v).includes(marker)) scan.hits.push(`DO kv ${k}: ${textOf(v)}`);
    }
    return scan;
  });
}

const CONSOLE = ["log", "info", "warn", "error", "debug"] as const;

/** Records every console call from now on; `lines(marker)` gives the ones holding the marker. */
export function captureConsole() {
  const spies: MockInstance[] = CONSOLE.map((m) => vi.spyOn(console, m));
  return {
    lines: (marker: string) => spies.flatMap((s) => s.mock.calls.flatMap((args) => args.map(textOf))).filter((t) => t.includes(marker)),
    restore: () => spies.forEach((s) => s.mockRestore()),
  };
}

/** All `data:` payloads of an SSE body (event: lines dropped). */
export const sseData = (text: string) =>
  text.split(/\r?\n\r?\n/).map((e) => e.split(/\r?\n/).filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n")).filter((d) => d && d !== "[DONE]");
