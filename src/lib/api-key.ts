import { USER_ID } from "./ids";

/**
 * API keys look like `sk-gw-<userId>-<secret>`: the user id routes the request to the user's
 * Durable Object without any lookup, and the secret is 32 random bytes (256 bits) in base64url.
 * Only the SHA-256 of the whole key is stored; the key is shown once.
 */
const KEY = /^sk-gw-(u[0-9a-z]{20})-([A-Za-z0-9_-]{43})$/;

export interface ParsedKey { userId: string; key: string }

export function parseApiKey(key: string): ParsedKey | null {
  const m = KEY.exec(key);
  return m && USER_ID.test(m[1]!) ? { userId: m[1]!, key } : null;
}

export function generateApiKey(userId: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  const secret = btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  return `sk-gw-${userId}-${secret}`;
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** What may be shown after creation: a prefix and the last 4 characters. */
export function keyDisplay(key: string): { prefix: string; last4: string } {
  return { prefix: key.slice(0, 12), last4: key.slice(-4) };
}
