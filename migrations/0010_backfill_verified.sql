-- Users created before accounts existed (by the operator API) had no email_verified_at. The
-- operator vouched for them, so they count as verified: otherwise the retention job would purge
-- them as "unverified for 30 days". Self-service sign-ups always record terms_accepted_at.
UPDATE `users` SET `email_verified_at` = `created_at` WHERE `email_verified_at` IS NULL AND `terms_accepted_at` IS NULL AND `status` = 'active';
