import { jwtVerify, SignJWT } from "jose";
import type { users } from "../db/schema";
import type { Env } from "../env";
import { authConfig, sessionKey } from "./config";
import { randomToken } from "../lib/ids";

/** Sessions are HS256 JWTs; the algorithm, issuer and audience are pinned on verification. */
export const SESSION_ALG = "HS256";
export const SESSION_ISSUER = "edge-llm-gateway";
export const SESSION_AUDIENCE = "edge-llm-gateway:dashboard";

/** The signed-in user: the users row the session middleware loads for a valid session. */
export type SessionUser = typeof users.$inferSelect;

export interface SessionClaims {
  /** User id. */
  sub: string;
  /** Session id (also binds the CSRF token). */
  sid: string;
  /** The user's session_version when the token was issued: "log out everywhere" bumps it. */
  ver: number;
  /** When the user last proved their password or identity (Unix seconds), for re-authentication checks. */
  auth_time: number;
}

export async function issueSession(env: Env, userId: string, sessionVersion: number, now = Date.now()): Promise<{ token: string; claims: SessionClaims; maxAge: number }> {
  const { sessionTtlSeconds } = authConfig(env);
  const iat = Math.floor(now / 1000);
  const claims: SessionClaims = { sub: userId, sid: randomToken(24), ver: sessionVersion, auth_time: iat };
  const token = await new SignJWT({ sid: claims.sid, ver: claims.ver, auth_time: claims.auth_time })
    .setProtectedHeader({ alg: SESSION_ALG, typ: "JWT" })
    .setSubject(userId)
    .setIssuer(SESSION_ISSUER)
    .setAudience(SESSION_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + sessionTtlSeconds)
    .sign(sessionKey(env));
  return { token, claims, maxAge: sessionTtlSeconds };
}

/** Verifies signature, algorithm, issuer, audience and expiry; returns null for any bad token. */
export async function readSession(env: Env, token: string): Promise<SessionClaims | null> {
  try {
    const { payload } = await jwtVerify(token, sessionKey(env), {
      algorithms: [SESSION_ALG],
      issuer: SESSION_ISSUER,
      audience: SESSION_AUDIENCE,
      requiredClaims: ["sub", "exp", "iat"],
    });
    const { sub, sid, ver, auth_time } = payload as Record<string, unknown>;
    if (typeof sub !== "string" || typeof sid !== "string" || typeof ver !== "number" || typeof auth_time !== "number") return null;
    return { sub, sid, ver, auth_time };
  } catch {
    return null;
  }
}
