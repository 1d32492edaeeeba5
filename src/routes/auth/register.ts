import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { getCookie } from "hono/cookie";
import { z } from "zod";
import { appOrigin, authConfig } from "../../auth/config";
import { LOCALE_COOKIE, LOCALES } from "../../auth/cookies";
import { hashPassword } from "../../auth/password";
import { clientInfo, logSecurityEvent } from "../../auth/security-log";
import { enforce, limitsFor, LIMITS } from "../../auth/throttle";
import { queueVerificationEmail } from "../../auth/verification";
import { database } from "../../db/client";
import { users } from "../../db/schema";
import type { Env } from "../../env";
import { ApiError } from "../../errors";
import { accountStub } from "../../gateway/meter";
import { newUserId } from "../../lib/ids";
import { validate } from "../../middleware/validate";
import { sendQueuedMail } from "./background";
import { emailField, newPasswordField } from "./schemas";
import { startSession } from "./start-session";
import { userView } from "./user-view";

const mustBeTrue = (what: string) => z.literal(true, { error: `must be true: ${what}` });

const registerBody = z.strictObject({
  email: emailField,
  password: newPasswordField,
  name: z.string().trim().min(1).max(200),
  company: z.string().trim().max(200).optional(),
  accept_terms: mustBeTrue("accept the Terms to create an account"),
  confirm_age_18: mustBeTrue("you must be 18 or older to create an account"),
  locale: z.enum(LOCALES).optional(),
});

/**
 * POST /api/auth/register — creates an unverified account (API use is refused until the email is
 * confirmed), records the Terms version and when the Terms and the age were confirmed, queues the
 * verification email and signs the new user in.
 */
export const registerRoute = new Hono<{ Bindings: Env }>().post("/register", validate("json", registerBody), async (c) => {
  const body = c.req.valid("json");
  const origin = appOrigin(c.env, c.req.url); // first: without APP_ORIGIN nothing is written
  const { ip, userAgent } = clientInfo(c);
  await enforce(c.env, limitsFor("register", null, { key: ip, ...LIMITS.registerPerIp }));
  const db = database(c.env.DB);
  const now = Date.now();
  const cookieLocale = getCookie(c, LOCALE_COOKIE);
  const row: typeof users.$inferInsert = {
    id: newUserId(), email: body.email, name: body.name, company: body.company || null, status: "active", role: "user",
    createdAt: now, passwordHash: await hashPassword(body.password), emailVerifiedAt: null,
    termsVersion: authConfig(c.env).termsVersion, termsAcceptedAt: now, ageConfirmedAt: now, sessionVersion: 0,
    locale: body.locale ?? (LOCALES.find((l) => l === cookieLocale) ?? null),
  };
  const emailTaken = () => new ApiError(409, "email_taken", "An account with this email already exists. Sign in or reset your password.", { param: "email" });
  if (await db.select({ id: users.id }).from(users).where(eq(users.email, body.email)).get()) throw emailTaken();
  try {
    await db.insert(users).values(row);
  } catch (err) {
    // The unique index decides between two concurrent sign-ups with the same address.
    if (/UNIQUE/i.test(String((err as Error).message))) throw emailTaken();
    throw err;
  }
  await accountStub(c.env, row.id).init(row.id, now, "unverified");
  await queueVerificationEmail(c.env, { id: row.id, email: body.email }, origin, now);
  await logSecurityEvent(c.env, { userId: row.id, kind: "register", outcome: "success", ip, userAgent }, now);
  sendQueuedMail(c);
  const user = (await db.select().from(users).where(eq(users.id, row.id)).get())!;
  await startSession(c, user);
  return c.json({ user: userView(user) }, 201);
});
