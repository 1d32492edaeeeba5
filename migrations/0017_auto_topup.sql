-- The saved card for the opt-in auto top-up (docs/billing.md, "Auto top-up"): Stripe ids, brand and last 4 only.
CREATE TABLE `payment_methods` (
	`user_id` text PRIMARY KEY NOT NULL,
	`customer_id` text NOT NULL,
	`payment_method_id` text NOT NULL,
	`brand` text,
	`last4` text,
	`updated_at` integer NOT NULL
);
