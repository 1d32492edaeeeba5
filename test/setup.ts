import { applyD1Migrations, env } from "cloudflare:test";
import { TEST_CATALOG_SQL } from "./helpers/catalog";

// Runs before every test file: the real migrations, then test-only catalog rows whose upstream
// model names select stand-in scenarios (test/standin/README.md).
await applyD1Migrations(env.DB, (env as unknown as { TEST_MIGRATIONS: Parameters<typeof applyD1Migrations>[1] }).TEST_MIGRATIONS);
await env.DB.batch(TEST_CATALOG_SQL.map((q) => env.DB.prepare(q)));

// The tokenizer loads on first use in the worker (src/billing/tokenizer.ts); tests that compute
// expected estimates at module scope need it loaded before they are imported.
const { loadTokenizer } = await import("../src/billing/tokenizer");
await loadTokenizer();
