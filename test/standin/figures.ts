// POST /__figures/<name>: the reliability tests (test/reliability) run inside workerd and cannot
// write to the host's disk, so they send their measured figures here and this Node process writes
// them to node_modules/.cache/reliability/<name>.json for docs/reliability.md. Best effort: if the
// folder cannot be created the answer is still 200 ({written: false}) and no test fails on it.
import { mkdirSync, writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { readBody, sendJson } from "./http.js";

const DIR = join(process.cwd(), "node_modules", ".cache", "reliability");

export async function saveFigures(req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
  const text = await readBody(req);
  if (!/^[a-z0-9-]{1,64}$/.test(name)) return sendJson(res, 400, { written: false, reason: "bad name" });
  try {
    JSON.parse(text);
    mkdirSync(DIR, { recursive: true });
    writeFileSync(join(DIR, `${name}.json`), text);
    return sendJson(res, 200, { written: true });
  } catch (err) {
    return sendJson(res, 200, { written: false, reason: String(err) });
  }
}
