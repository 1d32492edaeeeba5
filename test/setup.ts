import { applyD1Migrations, env, reset } from "cloudflare:test";
import { afterAll, vi } from "vitest";
import { invalidateCatalog } from "../src/catalog/catalog";
import { TEST_CATALOG_SQL } from "./helpers/catalog";

// Runs before every test file. Test files share one Workers runtime per vitest worker
// (vitest.config.ts: isolate: false, which saves starting a runtime and importing the worker per
// file), so each file starts from a clean slate here:
//  - every binding's data is deleted (D1 and every Durable Object's storage and instance);
//  - the real migrations are applied, then test-only catalog rows whose upstream model names select
//    stand-in scenarios (test/standin/README.md);
//  - the isolate's in-memory catalog cache is dropped;
// and at the file's end, spies the file left on globals (console, crypto) are restored.
await reset();
invalidateCatalog();
await applyD1Migrations(env.DB, (env as unknown as { TEST_MIGRATIONS: Parameters<typeof applyD1Migrations>[1] }).TEST_MIGRATIONS);
await env.DB.batch(TEST_CATALOG_SQL.map((q) => env.DB.prepare(q)));

afterAll(() => {
  vi.restoreAllMocks();
});
