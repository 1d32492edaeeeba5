-- The usage data plane (docs/capacity.md): per-request records leave D1's write path. The queue
-- consumer writes these tables in batches; the raw records go to R2 (USAGE_ARCHIVE) and stay in
-- the wallet's Durable Object for the recent window (USAGE_RECENT_DAYS).

-- Per user × key × model × hour (hour = start, epoch ms): requests, tokens by kind, cost. Charts,
-- the usage page's totals and admin figures read these (plus the wallet's records not applied yet).
-- The measured_* / failures / ok_* columns feed the model recommendations (src/routing/measured.ts):
-- requests other than embeddings and client disconnects, provider failures among them, and the
-- successful ones' completion tokens and latency. Kept as long as usage logs (P19).
CREATE TABLE `usage_rollups` (
  `user_id` text NOT NULL,
  `hour` integer NOT NULL,
  `key_id` text NOT NULL,
  `model` text NOT NULL,
  `requests` integer DEFAULT 0 NOT NULL,
  `prompt_tokens` integer DEFAULT 0 NOT NULL,
  `completion_tokens` integer DEFAULT 0 NOT NULL,
  `cached_tokens` integer DEFAULT 0 NOT NULL,
  `reasoning_tokens` integer DEFAULT 0 NOT NULL,
  `cost_nano` integer DEFAULT 0 NOT NULL,
  `measured_requests` integer DEFAULT 0 NOT NULL,
  `failures` integer DEFAULT 0 NOT NULL,
  `ok_requests` integer DEFAULT 0 NOT NULL,
  `ok_completion_tokens` integer DEFAULT 0 NOT NULL,
  `ok_latency_ms` integer DEFAULT 0 NOT NULL,
  PRIMARY KEY(`user_id`, `hour`, `key_id`, `model`)
);--> statement-breakpoint
CREATE INDEX `usage_rollups_hour` ON `usage_rollups` (`hour`);--> statement-breakpoint

-- Daily charge statements per key and model (day of the ledger entry, UTC): the 5-year record of
-- usage charges. charged_nano is the sum of the per-request charges (the ledger amounts are −charge).
CREATE TABLE `usage_statements` (
  `user_id` text NOT NULL,
  `day` text NOT NULL,
  `key_id` text NOT NULL,
  `model` text NOT NULL,
  `charges` integer DEFAULT 0 NOT NULL,
  `charged_nano` integer DEFAULT 0 NOT NULL,
  PRIMARY KEY(`user_id`, `day`, `key_id`, `model`)
);--> statement-breakpoint
CREATE INDEX `usage_statements_day` ON `usage_statements` (`day`);--> statement-breakpoint

-- Archived rows carry a random pseudonym instead of the user id, and key_ref = sha256(salt:key id)
-- instead of the key id. Deleting an account deletes this row: its archived rows become anonymous
-- without being rewritten (P27).
CREATE TABLE `usage_pseudonyms` (
  `user_id` text PRIMARY KEY NOT NULL,
  `pseudonym` text NOT NULL,
  `salt` text NOT NULL,
  `created_at` integer NOT NULL
);--> statement-breakpoint
CREATE UNIQUE INDEX `usage_pseudonyms_pseudonym` ON `usage_pseudonyms` (`pseudonym`);--> statement-breakpoint

-- Per wallet: the last batch the consumer applied (batches are numbered 1, 2, … by the Durable
-- Object and applied in order, exactly once) and the running totals it carried. Reconciliation
-- compares these with the Durable Object.
CREATE TABLE `usage_cursors` (
  `user_id` text PRIMARY KEY NOT NULL,
  `last_batch` integer NOT NULL,
  `records` integer DEFAULT 0 NOT NULL,
  `charged_nano` integer DEFAULT 0 NOT NULL,
  `updated_at` integer NOT NULL
);
