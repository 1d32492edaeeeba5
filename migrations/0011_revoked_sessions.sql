-- Sessions ended by sign-out before their JWT expires (src/auth/revocation.ts). Only the random
-- session id and its expiry are kept; rows past expires_at are deleted on the next sign-out.
CREATE TABLE IF NOT EXISTS `revoked_sessions` (
	`sid` text PRIMARY KEY NOT NULL,
	`expires_at` integer NOT NULL
);
CREATE INDEX IF NOT EXISTS `revoked_sessions_expires` ON `revoked_sessions` (`expires_at`);
