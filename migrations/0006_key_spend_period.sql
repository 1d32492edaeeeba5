ALTER TABLE `api_keys` ADD `spend_limit_period` text DEFAULT 'total' NOT NULL;--> statement-breakpoint
DROP INDEX `transactions_user_time`;--> statement-breakpoint
CREATE INDEX `transactions_user_time_id` ON `transactions` (`user_id`,`created_at`,`id`);--> statement-breakpoint
DROP INDEX `usage_user_time`;--> statement-breakpoint
CREATE INDEX `usage_user_time_id` ON `usage_logs` (`user_id`,`created_at`,`request_id`);
