-- Receipts (docs/billing.md, "Receipts"): billing details and the card's brand and last 4, as Stripe reports them.
CREATE TABLE `payment_details` (
	`ref` text PRIMARY KEY NOT NULL,
	`company_name` text,
	`address` text,
	`tax_id` text,
	`card_brand` text,
	`card_last4` text,
	`updated_at` integer NOT NULL
);
