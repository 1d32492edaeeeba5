-- Catalog import with price versions (docs/billing.md, "Catalog import"): each usage record names the price it was billed at.
ALTER TABLE `usage_logs` ADD `price_version` text;
--> statement-breakpoint
CREATE TABLE `price_versions` (
	`id` text PRIMARY KEY NOT NULL,
	`model_id` text NOT NULL,
	`input_price` integer NOT NULL,
	`output_price` integer NOT NULL,
	`cached_input_price` integer,
	`cache_write_price` integer,
	`source` text NOT NULL,
	`read_at` text NOT NULL,
	`markup_bp` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `price_versions_model` ON `price_versions` (`model_id`,`created_at`);
