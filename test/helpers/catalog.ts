/**
 * Test catalog rows. Each upstream_model is a stand-in scenario; prices are simple round
 * numbers (µUSD per 1M tokens) so expected costs are easy to state exactly:
 *   input 1.00 USD/Mtok = 1000 nUSD per token, output 2.00 USD/Mtok = 2000 nUSD per token.
 */
export const TEST_PRICE = { input: 1_000_000, output: 2_000_000, cached: 500_000 } as const;

export const SCENARIOS = [
  "echo", "mirror", "error-400", "error-401", "error-429", "error-500", "error-503", "hang", "reset-mid-stream",
  "no-usage", "negative-usage", "absurd-usage", "slow-stream", "split-bytes",
] as const;

const row = (id: string, provider: string, upstream: string, kind = "chat", maxOut: number | null = 1000) =>
  `INSERT OR REPLACE INTO models (id, name, provider, upstream_model, kind, context_length, max_output_tokens, input_price, output_price, cached_input_price, cache_write_price, capabilities, enabled, price_source, price_updated_at)
   VALUES ('${id}', 'Test ${id}', '${provider}', '${upstream}', '${kind}', 100000, ${maxOut ?? "NULL"}, ${TEST_PRICE.input}, ${kind === "chat" ? TEST_PRICE.output : 0}, ${TEST_PRICE.cached}, NULL, '[]', 1, 'test', '2026-11-01')`;

export const TEST_CATALOG_SQL = [
  ...SCENARIOS.map((s) => row(`test-${s}`, "openai", s)),
  row("test-fixture-text", "openai", "fixture:openai/chat/openai-text"),
  row("test-embed", "openai", "fixture:openai/embeddings/openai-embedding", "embedding", null),
  row("test-deepseek-tools", "deepseek", "fixture:others/deepseek/deepseek-tool-call"),
  row("test-xai-text", "xai", "fixture:others/xai/xai-text"),
  row("test-groq-tools", "groq", "fixture:others/groq/groq-tool-call"),
  row("test-unconfigured", "together", "echo"),
  row("test-claude-text", "anthropic", "fixture:anthropic/anthropic-text"),
  row("test-claude-tools", "anthropic", "fixture:anthropic/anthropic-json-tool.2"),
  row("test-claude-echo", "anthropic", "echo"),
  row("test-claude-mirror", "anthropic", "mirror"),
  row("test-gemini-text", "google", "fixture:google/google-text"),
  row("test-gemini-tools", "google", "fixture:google/google-tool-call"),
  row("test-gemini-echo", "google", "echo"),
  row("test-gemini-mirror", "google", "mirror"),
];

/**
 * Adds chat models at the test prices (input 1000, output 2000, cached 500 nUSD per token;
 * context 100,000) and drops the isolate's 30-second catalog cache so they are seen at once.
 */
export async function addTestModels(env: { DB: D1Database }, rows: ReadonlyArray<readonly [id: string, provider: string, upstream: string]>, maxOutput = 1000): Promise<void> {
  const { invalidateCatalog } = await import("../../src/catalog/catalog");
  await env.DB.batch(rows.map(([id, provider, upstream]) => env.DB.prepare(
    `INSERT OR REPLACE INTO models (id, name, provider, upstream_model, kind, context_length, max_output_tokens, input_price, output_price, cached_input_price, cache_write_price, capabilities, enabled, price_source, price_updated_at)
     VALUES (?, ?, ?, ?, 'chat', 100000, ?, ?, ?, ?, NULL, '[]', 1, 'test', '2026-11-01')`,
  ).bind(id, `Test ${id}`, provider, upstream, maxOutput, TEST_PRICE.input, TEST_PRICE.output, TEST_PRICE.cached)));
  invalidateCatalog();
}
