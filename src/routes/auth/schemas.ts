import { z } from "zod";
import { PASSWORD_MAX, PASSWORD_MIN } from "../../auth/password";

/** Emails are compared and stored lower-cased and trimmed. */
export const emailField = z.string().trim().toLowerCase().pipe(z.email().max(320));

export const newPasswordField = z.string()
  .min(PASSWORD_MIN, `must be at least ${PASSWORD_MIN} characters`)
  .max(PASSWORD_MAX, `must be at most ${PASSWORD_MAX} characters`);

/** A password being checked (not set): any non-empty string up to the maximum, so old passwords still work. */
export const passwordField = z.string().min(1).max(PASSWORD_MAX);

export const tokenBody = z.strictObject({ token: z.string().min(1).max(200) });
