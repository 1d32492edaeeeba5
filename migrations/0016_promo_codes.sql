-- Redemption codes (docs/billing.md, "Promotional credit"). The (code, user_id) primary key is
-- the one-use-per-account rule; the redeeming INSERT ... SELECT checks the total-uses cap.
CREATE TABLE `promo_codes` (
	`code` text PRIMARY KEY NOT NULL,
	`amount_nano` integer NOT NULL,
	`max_uses` integer NOT NULL,
	`uses` integer DEFAULT 0 NOT NULL,
	`expires_at` integer,
	`note` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `promo_redemptions` (
	`code` text NOT NULL,
	`user_id` text NOT NULL,
	`amount_nano` integer NOT NULL,
	`redeemed_at` integer NOT NULL,
	PRIMARY KEY(`code`, `user_id`)
);
--> statement-breakpoint
CREATE INDEX `promo_redemptions_user` ON `promo_redemptions` (`user_id`,`redeemed_at`);
