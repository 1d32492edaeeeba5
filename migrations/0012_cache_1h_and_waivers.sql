ALTER TABLE `models` ADD `cache_write_1h_price` integer;--> statement-breakpoint
ALTER TABLE `transactions` ADD `waived_nano` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Anthropic bills cache writes with a 1-hour TTL at 2× the input price (5-minute writes: 1.25×,
-- the existing cache_write_price). platform.claude.com/docs/en/about-claude/pricing
UPDATE `models` SET `cache_write_1h_price` = 2 * `input_price` WHERE `provider` = 'anthropic' AND `cache_write_1h_price` IS NULL;
