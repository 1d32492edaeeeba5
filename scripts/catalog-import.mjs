#!/usr/bin/env node
// Catalog import (docs/billing.md, "Catalog import"): reads the catalog from the gateway's operator
// API, builds the dataset from @pydantic/genai-prices, and shows the difference. With --apply it
// applies it (new prices with source and date, price versions, end-of-life models disabled,
// notice emails to users of changed models).
//
//   GATEWAY_URL=http://localhost:8787 ADMIN_TOKEN=dev-admin-token npm run catalog:import -- [--apply] [--markup-bp=1000]
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { buildDataset } from "./catalog/dataset.mjs";

// The package does not export its package.json: read it beside its entry point (dist/).
const entry = createRequire(import.meta.url).resolve("@pydantic/genai-prices");
const pkg = JSON.parse(readFileSync(join(dirname(entry), "..", "package.json"), "utf8"));

const base = process.env.GATEWAY_URL ?? `http://localhost:${process.env.PORT ?? 8787}`;
const token = process.env.ADMIN_TOKEN ?? "dev-admin-token";
const apply = process.argv.includes("--apply");
const markup = Number(process.argv.find((a) => a.startsWith("--markup-bp="))?.split("=")[1] ?? 0);

async function call(path, init = {}) {
  const res = await fetch(`${base}/api/admin${path}`, { ...init, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" } });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

const { data } = await call("/models");
const dataset = buildDataset(data.map((m) => ({ id: m.id, provider: m.provider, upstream_model: m.upstream_model })), `${pkg.name}@${pkg.version}`);
const result = await call("/catalog/import", { method: "POST", body: JSON.stringify({ dataset, apply, markup_bp: markup }) });
for (const c of result.changes) console.log(`${c.model}: ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)} (µUSD/1M; ${c.source})`);
console.log(`${result.changes.length} changed, ${result.unchanged} unchanged, end of life: ${result.end_of_life.join(", ") || "none"}`);
console.log(apply ? `applied: ${JSON.stringify(result.applied)}` : "dry run: pass --apply to apply");
