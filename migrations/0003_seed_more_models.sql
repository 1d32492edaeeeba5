-- More catalog models, aliases and serving channels. Applies after 0002 (which creates
-- model_channels and model_aliases). Prices are integer micro-USD per 1,000,000 tokens
-- (1.00 USD/Mtok = 1000000), as in 0001. INSERT OR REPLACE so re-running the seed (or an
-- operator re-applying it) resets these rows to the listed prices.
--
-- Anthropic (platform.claude.com/docs/en/about-claude/pricing, checked 2026-11-22):
--   cache_write_price = 5-minute cache write = 1.25 x input; cached_input_price = cache hit = 0.1 x input.
--   context_length is the standard 200k window: Sonnet 4.5's 1M window is a beta billed at a
--   higher rate (6.00/22.50 USD/Mtok above 200k input tokens), which this catalog does not model.
--   Claude Opus 4.1 is listed on that page as retired on the Claude API (still on Bedrock and
--   Google Cloud), so its row is seeded disabled (enabled = 0) to keep the price on record;
--   `UPDATE models SET enabled = 1 WHERE id = 'claude-opus-4-1-20250805'` turns it on.
--
-- Google (ai.google.dev/gemini-api/docs/pricing, paid tier, checked 2026-11-22):
--   input price is the text/image/video rate (audio input is billed higher by Google and is not
--   modelled); cached_input_price is the context-cache read rate (the hourly storage fee is not
--   modelled); there is no per-token cache-write premium, so cache_write_price is NULL.
--   Gemini 2.5 Pro uses the <= 200k-token prompt tier (1.25/10.00); prompts over 200k tokens are
--   billed by Google at 2.50/15.00 USD/Mtok, which this flat price does not cover.
--   Google's deprecations page lists gemini-2.5-pro and gemini-2.5-flash for shutdown; disable the
--   rows (enabled = 0) when they stop answering — the auto router skips disabled models.
INSERT OR REPLACE INTO models (id, name, provider, upstream_model, kind, context_length, max_output_tokens, input_price, output_price, cached_input_price, cache_write_price, capabilities, enabled, price_source, price_updated_at) VALUES
 ('claude-sonnet-4-5-20250929', 'Anthropic Claude Sonnet 4.5', 'anthropic', 'claude-sonnet-4-5-20250929', 'chat',  200000, 64000,  3000000, 15000000,  300000,  3750000, '["tools","vision","json","reasoning"]', 1, 'platform.claude.com/docs/en/about-claude/pricing (<= 200k input tokens; cache write = 5-minute)', '2026-11-22'),
 ('claude-haiku-4-5-20251001',  'Anthropic Claude Haiku 4.5',  'anthropic', 'claude-haiku-4-5-20251001',  'chat',  200000, 64000,  1000000,  5000000,  100000,  1250000, '["tools","vision","json","reasoning"]', 1, 'platform.claude.com/docs/en/about-claude/pricing (cache write = 5-minute)', '2026-11-22'),
 ('claude-opus-4-1-20250805',   'Anthropic Claude Opus 4.1',   'anthropic', 'claude-opus-4-1-20250805',   'chat',  200000, 32000, 15000000, 75000000, 1500000, 18750000, '["tools","vision","json","reasoning"]', 0, 'platform.claude.com/docs/en/about-claude/pricing (cache write = 5-minute; retired on the Claude API, seeded disabled)', '2026-11-22'),
 ('gemini-2.5-flash',           'Google Gemini 2.5 Flash',     'google',    'gemini-2.5-flash',           'chat', 1048576, 65536,   300000,  2500000,   30000,     NULL, '["tools","vision","json","reasoning"]', 1, 'ai.google.dev/gemini-api/docs/pricing (text/image/video input; cached = context-cache read)', '2026-11-22'),
 ('gemini-2.5-pro',             'Google Gemini 2.5 Pro',       'google',    'gemini-2.5-pro',             'chat', 1048576, 65536,  1250000, 10000000,  125000,     NULL, '["tools","vision","json","reasoning"]', 1, 'ai.google.dev/gemini-api/docs/pricing (prompts <= 200k tokens tier; > 200k is 2.50/15.00 USD/Mtok, not modelled)', '2026-11-22'),
 ('gemini-2.5-flash-lite',      'Google Gemini 2.5 Flash-Lite','google',    'gemini-2.5-flash-lite',      'chat', 1048576, 65536,   100000,   400000,   10000,     NULL, '["tools","vision","json","reasoning"]', 1, 'ai.google.dev/gemini-api/docs/pricing (text/image/video input; cached = context-cache read)', '2026-11-22'),
 ('gemini-embedding-001',       'Google Gemini Embedding 001', 'google',    'gemini-embedding-001',       'embedding', 2048, NULL,  150000,        0,    NULL,     NULL, '[]', 1, 'ai.google.dev/gemini-api/docs/pricing', '2026-11-22');

-- Other names callers may use. Undated Claude names point at the dated snapshot; `claude-sonnet-4`
-- (Sonnet 4 itself is retired) is served by Sonnet 4.5 at the same list price.
INSERT OR REPLACE INTO model_aliases (alias, model_id) VALUES
 ('claude-sonnet-4-5', 'claude-sonnet-4-5-20250929'),
 ('claude-sonnet-4',   'claude-sonnet-4-5-20250929'),
 ('claude-haiku-4-5',  'claude-haiku-4-5-20251001'),
 ('claude-opus-4-1',   'claude-opus-4-1-20250805'),
 ('gemini-flash',      'gemini-2.5-flash'),
 ('gemini-pro',        'gemini-2.5-pro'),
 ('gemini-flash-lite', 'gemini-2.5-flash-lite');

-- Multi-channel serving: the same open-weights model from more than one provider. Lower priority
-- is tried first. The caller is always billed the model's catalog price, whichever channel serves
-- it; a fallback provider's own list price can be higher than the catalog price (check Groq's and
-- Together's pricing pages before relying on a fallback channel for volume).
INSERT OR REPLACE INTO model_channels (id, model_id, provider, upstream_model, priority, weight, enabled) VALUES
 ('kimi-k2@moonshot',                 'kimi-k2',                 'moonshot', 'kimi-k2-0905-preview',                 0, 1, 1),
 ('kimi-k2@groq',                     'kimi-k2',                 'groq',     'moonshotai/kimi-k2-instruct-0905',     1, 1, 1),
 ('llama-3.3-70b-versatile@groq',     'llama-3.3-70b-versatile', 'groq',     'llama-3.3-70b-versatile',              0, 1, 1),
 ('llama-3.3-70b-versatile@together', 'llama-3.3-70b-versatile', 'together', 'meta-llama/Llama-3.3-70B-Instruct-Turbo', 1, 1, 1);
