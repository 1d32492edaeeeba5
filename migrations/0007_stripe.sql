CREATE TABLE `refund_parts` (
	`request_id` text NOT NULL,
	`payment_intent_id` text NOT NULL,
	`amount_cents` integer NOT NULL,
	`stripe_refund_id` text,
	PRIMARY KEY(`request_id`, `payment_intent_id`)
);
--> statement-breakpoint
CREATE TABLE `stripe_deferred` (
	`event_id` text PRIMARY KEY NOT NULL,
	`payment_intent_id` text NOT NULL,
	`fact` text NOT NULL,
	`created_at` integer NOT NULL,
	`applied_at` integer
);
--> statement-breakpoint
CREATE INDEX `stripe_deferred_payment` ON `stripe_deferred` (`payment_intent_id`);--> statement-breakpoint
CREATE TABLE `stripe_events` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`processed_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `topups` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`checkout_session_id` text,
	`payment_intent_id` text,
	`amount_cents` integer NOT NULL,
	`amount_credited_nano` integer DEFAULT 0 NOT NULL,
	`amount_refunded_nano` integer DEFAULT 0 NOT NULL,
	`amount_disputed_nano` integer DEFAULT 0 NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`paid_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `topups_session` ON `topups` (`checkout_session_id`);--> statement-breakpoint
CREATE INDEX `topups_payment_intent` ON `topups` (`payment_intent_id`);--> statement-breakpoint
CREATE INDEX `topups_user_paid` ON `topups` (`user_id`,`status`,`paid_at`);--> statement-breakpoint
CREATE INDEX `topups_paid` ON `topups` (`status`,`paid_at`);