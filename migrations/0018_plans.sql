-- Paid plans with Stripe subscriptions (docs/billing.md, "Plans"). Plan credit lives in the wallet's ledger.
CREATE TABLE `plans` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`stripe_price_id` text NOT NULL,
	`price_cents` integer NOT NULL,
	`credit_nano` integer NOT NULL,
	`rpm` integer,
	`tpm` integer,
	`models` text,
	`active` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `plans_stripe_price_id_unique` ON `plans` (`stripe_price_id`);
--> statement-breakpoint
CREATE TABLE `subscriptions` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`plan_id` text,
	`status` text NOT NULL,
	`cancel_at_period_end` integer DEFAULT 0 NOT NULL,
	`current_period_end` integer,
	`last_payment_error` text,
	`event_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `subscriptions_user` ON `subscriptions` (`user_id`);
