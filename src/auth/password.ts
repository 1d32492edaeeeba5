import { base64url } from "jose";

/**
 * Password hashing: PBKDF2-HMAC-SHA-256 through WebCrypto.
 *
 * Why not argon2id (compiled to WASM)? A WASM build adds ~100+ KB to a bundle that every API
 * request loads, runs slower than native code, and a memory-hard hash at useful settings
 * (19+ MiB, several passes) spends much of a Worker's CPU-time budget on every sign-in.
 * PBKDF2 is native in the runtime (BoringSSL), costs no bundle weight, and at 100,000 iterations
 * takes ~15 ms of CPU. 100,000 is the most Cloudflare's production runtime allows (it refuses
 * higher counts, see cloudflare/workerd#1346); local workerd has no cap (workerd#1471), so that
 * refusal cannot be reproduced in tests — the test pins the count instead.
 *
 * Stored format (versioned, so the parameters can change later and old hashes get upgraded on
 * the next sign-in): `pbkdf2-sha256$v1$<iterations>$<salt b64url>$<hash b64url>`.
 */
export const PASSWORD_ITERATIONS = 100_000;
const VERSION = "v1";
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Never derive with more than this from a stored hash: a corrupt row must not burn CPU. */
const MAX_ITERATIONS = 100_000;

/** Password policy: length only (NIST SP 800-63B): 10–256 characters. */
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 256;

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  // NFC so the same password typed on different systems (composed vs decomposed accents) matches.
  const material = await crypto.subtle.importKey("raw", new TextEncoder().encode(password.normalize("NFC")), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, material, KEY_BYTES * 8);
  return new Uint8Array(bits);
}

function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  // Lengths are public (always 32 bytes for a well-formed hash); the contents are compared in constant time.
  return a.byteLength === b.byteLength && crypto.subtle.timingSafeEqual(a, b);
}

export async function hashPassword(password: string, iterations = PASSWORD_ITERATIONS): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await derive(password, salt, iterations);
  return `pbkdf2-sha256$${VERSION}$${iterations}$${base64url.encode(salt)}$${base64url.encode(hash)}`;
}

interface Parsed { iterations: number; salt: Uint8Array; hash: Uint8Array }

function parse(stored: string): Parsed | null {
  const parts = stored.split("$");
  if (parts.length !== 5 || parts[0] !== "pbkdf2-sha256" || parts[1] !== VERSION) return null;
  const iterations = Number(parts[2]);
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > MAX_ITERATIONS) return null;
  try {
    const salt = base64url.decode(parts[3]!);
    const hash = base64url.decode(parts[4]!);
    return hash.byteLength === KEY_BYTES && salt.byteLength >= 8 ? { iterations, salt, hash } : null;
  } catch {
    return null;
  }
}

/** Checks a password; `needsRehash` says the stored parameters are older than the current ones. */
export async function verifyPassword(password: string, stored: string): Promise<{ ok: boolean; needsRehash: boolean }> {
  const parsed = parse(stored);
  if (!parsed) {
    await dummyVerify(password);
    return { ok: false, needsRehash: false };
  }
  const ok = constantTimeEqual(await derive(password, parsed.salt, parsed.iterations), parsed.hash);
  return { ok, needsRehash: ok && parsed.iterations < PASSWORD_ITERATIONS };
}

let dummy: Promise<string> | null = null;

/**
 * Spends the same work as a real check, for sign-ins naming no account (or an account without a
 * password): the response time then does not tell whether the email is registered.
 */
export async function dummyVerify(password: string): Promise<void> {
  dummy ??= hashPassword(crypto.randomUUID());
  const parsed = parse(await dummy)!;
  await derive(password, parsed.salt, parsed.iterations);
}
