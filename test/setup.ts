import { type D1Migration, env, reset } from "cloudflare:test";
import { afterAll, vi } from "vitest";
import { invalidateCatalog } from "../src/catalog/catalog";
import { invalidateModelStats } from "../src/routing/measured";
import { TEST_CATALOG_SQL } from "./helpers/catalog";

// Runs before every test file. Test files share one Workers runtime per vitest worker
// (vitest.config.ts: isolate: false, which saves starting a runtime and importing the worker per
// file), so each file starts from a clean slate here:
//  - every binding's data is deleted (D1 and every Durable Object's storage and instance);
//  - the real migrations are applied (as applyD1Migrations would, in one batch), then test-only catalog rows whose upstream model names select
//    stand-in scenarios (test/standin/README.md);
//  - the isolate's in-memory catalog and model-statistics caches are dropped;
// and at the file's end, spies the file left on globals (console, crypto) are restored.
await reset();
invalidateCatalog();
invalidateModelStats(); // measured latencies and failures, cached per isolate for the recommendations
// One batch (one round trip to D1) for every migration, the migrations table and the test catalog.
const migrations = (env as unknown as { TEST_MIGRATIONS: D1Migration[] }).TEST_MIGRATIONS;
await env.DB.batch(
  [
    "CREATE TABLE d1_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)",
    ...migrations.flatMap((m) => [...m.queries, `INSERT INTO d1_migrations (name) VALUES ('${m.name.replaceAll("'", "''")}')`]),
    ...TEST_CATALOG_SQL,
  ].map((q) => env.DB.prepare(q)),
);

afterAll(() => {
  vi.restoreAllMocks();
});

// The tokenizer loads on first use in the worker (src/billing/tokenizer.ts); tests that compute
// expected estimates at module scope need it loaded before they are imported.
const { loadTokenizer } = await import("../src/billing/tokenizer");
await loadTokenizer();
