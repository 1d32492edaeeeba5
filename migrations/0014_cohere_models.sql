-- Cohere (issue 17): a provider of its own wire format (src/providers/cohere, Cohere API v2:
-- POST /chat and POST /embed at https://api.cohere.com/v2, COHERE_API_KEY / COHERE_BASE_URL).
-- Prices are integer micro-USD per 1,000,000 tokens, as in 0001/0003. They are Cohere's list prices
-- (cohere.com/pricing): Command A 2.50 / 10.00, 256K context, 8K output; Command R7B 0.0375 / 0.15,
-- 128K context, 4K output; Embed v4 0.12 per 1M input tokens. Cohere publishes no discounted cache
-- price (the gateway bills Cohere's billed_units), so cached_input_price is the input price.
-- The operator should confirm them with PATCH /api/admin/models/:id before enabling a key.
INSERT OR IGNORE INTO models (id, name, provider, upstream_model, kind, context_length, max_output_tokens, input_price, output_price, cached_input_price, cache_write_price, capabilities, enabled, price_source, price_updated_at) VALUES
 ('command-a-03-2025',   'Cohere Command A',   'cohere', 'command-a-03-2025',   'chat',      256000, 8000, 2500000, 10000000, 2500000, NULL, '["tools","json"]', 1, 'cohere.com/pricing', '2026-12-03'),
 ('command-r7b-12-2024', 'Cohere Command R7B', 'cohere', 'command-r7b-12-2024', 'chat',      128000, 4000,   37500,   150000,   37500, NULL, '["tools","json"]', 1, 'cohere.com/pricing', '2026-12-03'),
 ('embed-v4.0',          'Cohere Embed v4',    'cohere', 'embed-v4.0',          'embedding', 128000, NULL,  120000,        0,  120000, NULL, '[]',               1, 'cohere.com/pricing', '2026-12-03');

INSERT OR IGNORE INTO model_aliases (alias, model_id) VALUES
 ('command-a', 'command-a-03-2025'),
 ('cohere/command-a', 'command-a-03-2025');
