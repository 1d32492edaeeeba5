CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`name` text NOT NULL,
	`key_hash` text NOT NULL,
	`prefix` text NOT NULL,
	`last4` text NOT NULL,
	`rpm` integer,
	`tpm` integer,
	`max_concurrency` integer,
	`spend_limit_nano` integer,
	`models` text,
	`expires_at` integer,
	`created_at` integer NOT NULL,
	`revoked_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_hash` ON `api_keys` (`key_hash`);--> statement-breakpoint
CREATE INDEX `api_keys_user` ON `api_keys` (`user_id`);--> statement-breakpoint
CREATE TABLE `models` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`provider` text NOT NULL,
	`upstream_model` text NOT NULL,
	`kind` text NOT NULL,
	`context_length` integer NOT NULL,
	`max_output_tokens` integer,
	`input_price` integer NOT NULL,
	`output_price` integer NOT NULL,
	`cached_input_price` integer,
	`cache_write_price` integer,
	`capabilities` text DEFAULT '[]' NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`price_source` text NOT NULL,
	`price_updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `transactions` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`kind` text NOT NULL,
	`amount_nano` integer NOT NULL,
	`balance_after_nano` integer NOT NULL,
	`ref` text NOT NULL,
	`note` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `transactions_user_time` ON `transactions` (`user_id`,`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `transactions_user_kind_ref` ON `transactions` (`user_id`,`kind`,`ref`);--> statement-breakpoint
CREATE TABLE `usage_logs` (
	`request_id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`key_id` text NOT NULL,
	`model` text NOT NULL,
	`provider` text NOT NULL,
	`endpoint` text NOT NULL,
	`stream` integer NOT NULL,
	`prompt_tokens` integer NOT NULL,
	`completion_tokens` integer NOT NULL,
	`cached_tokens` integer DEFAULT 0 NOT NULL,
	`reasoning_tokens` integer DEFAULT 0 NOT NULL,
	`cost_nano` integer NOT NULL,
	`latency_ms` integer NOT NULL,
	`status` text NOT NULL,
	`http_status` integer NOT NULL,
	`usage_source` text NOT NULL,
	`error_code` text,
	`attempts` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `usage_user_time` ON `usage_logs` (`user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `usage_key_time` ON `usage_logs` (`key_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`name` text,
	`status` text DEFAULT 'active' NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email` ON `users` (`email`);