CREATE INDEX `transactions_time` ON `transactions` (`created_at`);--> statement-breakpoint
CREATE INDEX `usage_time` ON `usage_logs` (`created_at`);