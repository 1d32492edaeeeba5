-- Current model generations (checked 2026-12-02) and the end of life of retired ones.
-- Prices are integer micro-USD per 1,000,000 tokens (1.00 USD/Mtok = 1000000), as in 0001/0003.
--
-- Anthropic (platform.claude.com/docs/en/models/overview and each model's page, checked 2026-12-02):
--   Claude Fable 5.1 (claude-fable-5-1)   10.00 / 50.00, 1M context, 128K output
--   Claude Opus 5.5  (claude-opus-5-5)     4.00 / 20.00, 1M context, 128K output; 5-minute cache write 5.00, cache read 0.20
--   Claude Sonnet 5.5 (claude-sonnet-5-5)  2.00 / 10.00, 1M context, 128K output
--   cache_write_price is the 5-minute write; where the model page does not list cache prices
--   (Fable 5.1, Sonnet 5.5) Anthropic's standard multipliers are used: write 1.25 x input, read 0.1 x input.
--   Claude Haiku 5.5 is priced in two prompt-size tiers (0.10/0.50 up to 100k prompt tokens,
--   0.50/2.50 above), which a flat catalog price cannot express; it is not seeded. Claude Haiku 4.5
--   stays (no retirement date announced).
--   Claude Sonnet 4.5 (claude-sonnet-4-5-20250929) reached end of life on 2026-11-30: its row is
--   disabled (kept for the price record) and its names point at Sonnet 5.5.
INSERT OR REPLACE INTO models (id, name, provider, upstream_model, kind, context_length, max_output_tokens, input_price, output_price, cached_input_price, cache_write_price, capabilities, enabled, price_source, price_updated_at) VALUES
 ('claude-fable-5-1',  'Anthropic Claude Fable 5.1',  'anthropic', 'claude-fable-5-1',  'chat', 1000000, 128000, 10000000, 50000000, 1000000, 12500000, '["tools","vision","json","reasoning"]', 1, 'platform.claude.com/docs/en/models/overview (cache prices: standard multipliers)', '2026-12-02'),
 ('claude-opus-5-5',   'Anthropic Claude Opus 5.5',   'anthropic', 'claude-opus-5-5',   'chat', 1000000, 128000,  4000000, 20000000,  200000,  5000000, '["tools","vision","json","reasoning"]', 1, 'platform.claude.com/docs/en/models/opus-5-5/overview (cache write = 5-minute)', '2026-12-02'),
 ('claude-sonnet-5-5', 'Anthropic Claude Sonnet 5.5', 'anthropic', 'claude-sonnet-5-5', 'chat', 1000000, 128000,  2000000, 10000000,  200000,  2500000, '["tools","vision","json","reasoning"]', 1, 'platform.claude.com/docs/en/models/overview (cache prices: standard multipliers)', '2026-12-02');

UPDATE models SET enabled = 0, price_source = price_source || ' (end of life 2026-11-30)' WHERE id = 'claude-sonnet-4-5-20250929' AND enabled = 1;

INSERT OR REPLACE INTO model_aliases (alias, model_id) VALUES
 ('claude-sonnet-4-5', 'claude-sonnet-5-5'),
 ('claude-sonnet-4',   'claude-sonnet-5-5'),
 ('claude-sonnet',     'claude-sonnet-5-5'),
 ('claude-opus',       'claude-opus-5-5'),
 ('claude-fable',      'claude-fable-5-1');
