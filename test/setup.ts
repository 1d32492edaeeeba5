import { applyD1Migrations, env } from "cloudflare:test";
import { TEST_CATALOG_SQL } from "./helpers/catalog";

// Runs before every test file: the real migrations, then test-only catalog rows whose upstream
// model names select stand-in scenarios (test/standin/README.md).
await applyD1Migrations(env.DB, (env as unknown as { TEST_MIGRATIONS: Parameters<typeof applyD1Migrations>[1] }).TEST_MIGRATIONS);
await env.DB.batch(TEST_CATALOG_SQL.map((q) => env.DB.prepare(q)));
