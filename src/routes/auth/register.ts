import { Hono } from "hono";
import { getCookie } from "hono/cookie";
import { z } from "zod";
import { appOrigin, authConfig } from "../../auth/config";
import { LOCALE_COOKIE, LOCALES } from "../../auth/cookies";
import { tellOwnerAddressInUse } from "../../auth/address-in-use";
import { hashPassword } from "../../auth/password";
import { clientInfo, logSecurityEvent } from "../../auth/security-log";
import { enforce, limitsFor, LIMITS } from "../../auth/throttle";
import { queueVerificationEmail } from "../../auth/verification";
import { findEmailOwner, insertUser, type NewUserRow } from "../../auth/users";
import type { BaseEnv } from "../../env";
import { accountStub } from "../../account/client";
import { newUserId } from "../../lib/ids";
import { validate } from "../../middleware/validate";
import { sendQueuedMail } from "./background";
import { emailField, newPasswordField } from "./schemas";

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

/** The one answer of sign-up, whether the address was free or not (no enumeration, no session). */
const accepted = (email: string) => ({ status: "verification_sent" as const, email });

/**
 * POST /api/auth/register — creates an unverified account (API use is refused until the email is
 * confirmed), records the Terms version and when the Terms and the age were confirmed, and queues
 * the verification email. An address that already has an account gets the same 202 answer after
 * the same password hashing, and its owner gets an "address in use" email instead. Nobody is
 * signed in here (that would tell the two cases apart): the user signs in with the password.
 */
export const registerRoute = new Hono<BaseEnv>().post("/register", validate("json", registerBody), async (c) => {
  const body = c.req.valid("json");
  const origin = appOrigin(c.env, c.req.url); // first: without APP_ORIGIN nothing is written
  const { ip, userAgent } = clientInfo(c);
  await enforce(c.env, limitsFor("register", null, { key: ip, ...LIMITS.registerPerIp }));
  const now = Date.now();
  const cookieLocale = getCookie(c, LOCALE_COOKIE);
  const passwordHash = await hashPassword(body.password);
  const row: NewUserRow = {
    id: newUserId(), email: body.email, name: body.name, company: body.company || null, status: "active", role: "user",
    createdAt: now, passwordHash, emailVerifiedAt: null,
    termsVersion: authConfig(c.env).termsVersion, termsAcceptedAt: now, ageConfirmedAt: now, sessionVersion: 0,
    locale: body.locale ?? (LOCALES.find((l) => l === cookieLocale) ?? null),
  };
  const inUse = async () => {
    const owner = await findEmailOwner(c.env, body.email);
    if (owner) await tellOwnerAddressInUse(c.env, owner, "sign_up", origin, now);
    await logSecurityEvent(c.env, { userId: owner?.id ?? null, kind: "register", outcome: "failure", ip, userAgent, detail: "address_in_use" }, now);
    sendQueuedMail(c);
    return c.json(accepted(body.email), 202);
  };
  if (await findEmailOwner(c.env, body.email)) return inUse();
  try {
    await insertUser(c.env, row);
  } catch (err) {
    // The unique index decides between two concurrent sign-ups with the same address.
    if (/UNIQUE/i.test(String((err as Error).message))) return inUse();
    throw err;
  }
  await accountStub(c.env, row.id).init(row.id, now, "unverified");
  await queueVerificationEmail(c.env, { id: row.id, email: body.email }, origin, now);
  await logSecurityEvent(c.env, { userId: row.id, kind: "register", outcome: "success", ip, userAgent }, now);
  sendQueuedMail(c);
  return c.json(accepted(body.email), 202);
});
