-- The rights desk (P28, issue 17): data-subject requests with their 30-day answer deadline.
-- No free text of the user beyond `details` (their own description, bounded to 2000 characters);
-- `evidence` and `resolution` say what was done (export links, counts, deletion result, the
-- operator's note). Reminder and escalation times make the scheduled job idempotent.
CREATE TABLE `rights_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`kind` text NOT NULL,
	`details` text,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`due_at` integer NOT NULL,
	`resolved_at` integer,
	`resolved_by` text,
	`resolution` text,
	`evidence` text,
	`reminded_7d_at` integer,
	`reminded_2d_at` integer,
	`escalated_at` integer
);
--> statement-breakpoint
CREATE INDEX `rights_requests_user` ON `rights_requests` (`user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `rights_requests_open` ON `rights_requests` (`status`,`due_at`);
