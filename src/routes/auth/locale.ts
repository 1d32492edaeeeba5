import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { LOCALES, setLocaleCookie } from "../../auth/cookies";
import { database } from "../../db/client";
import { users } from "../../db/schema";
import type { BaseEnv } from "../../env";
import { validate } from "../../middleware/validate";
import { currentUser } from "./current-user";

/** PUT /api/auth/locale — sets the `locale` cookie and, when signed in, the account's language (used for emails later). */
export const localeRoute = new Hono<BaseEnv>().put("/locale", validate("json", z.strictObject({ locale: z.enum(LOCALES) })), async (c) => {
  const { locale } = c.req.valid("json");
  const user = await currentUser(c);
  if (user) await database(c.env.DB).update(users).set({ locale }).where(eq(users.id, user.id));
  setLocaleCookie(c, locale);
  return c.body(null, 204);
});
