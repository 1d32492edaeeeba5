CREATE TABLE `reconciliation_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`started_at` integer NOT NULL,
	`finished_at` integer NOT NULL,
	`users_checked` integer NOT NULL,
	`drifted_users` integer NOT NULL,
	`total_drift_nano` integer NOT NULL,
	`details` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `reconciliation_runs_started` ON `reconciliation_runs` (`started_at`);
