import { Hono } from "hono";
import { z } from "zod";
import { LOCALES, setLocaleCookie } from "../../auth/cookies";
import { setUserLocale } from "../../auth/users";
import type { BaseEnv } from "../../env";
import { validate } from "../../middleware/validate";
import { currentUser } from "./current-user";

/** PUT /api/auth/locale — sets the `locale` cookie and, when signed in, the account's language (used for emails later). */
export const localeRoute = new Hono<BaseEnv>().put("/locale", validate("json", z.strictObject({ locale: z.enum(LOCALES) })), async (c) => {
  const { locale } = c.req.valid("json");
  const user = await currentUser(c);
  if (user) await setUserLocale(c.env, user.id, locale);
  setLocaleCookie(c, locale);
  return c.body(null, 204);
});
