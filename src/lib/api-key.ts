import { ApiError } from "../errors";
import { WALLET_ID } from "./ids";

/**
 * API keys look like `sk-gw-<userId>-<secret>`: the user id routes the request to the user's
 * Durable Object without any lookup. The secret is 32 bytes in base64url (43 characters): 16
 * random bytes (128 bits) followed by a 16-byte tag, HMAC-SHA-256 over `sk-gw-<userId>-` and the
 * random bytes under the worker's key-tag secret (keyTagSecret). The worker checks the tag before
 * anything else, so a made-up key fails with no D1 read and no Durable Object touched.
 * Only the SHA-256 of the whole key is stored; the key is shown once.
 */
const KEY = /^sk-gw-((?:u|o)[0-9a-z]{20})-([A-Za-z0-9_-]{43})$/;
/** Management keys (the provisioning API): `sk-gw-mgmt-<walletId>-<secret>`, tagged the same way; they never call models. */
const MANAGEMENT_KEY = /^sk-gw-mgmt-((?:u|o)[0-9a-z]{20})-([A-Za-z0-9_-]{43})$/;
export const MANAGEMENT_PREFIX = "sk-gw-mgmt-";
const RANDOM_BYTES = 16;
const TAG_BYTES = 16;
const TAG_LABEL = "edge-llm-gateway api key tag v1";

/** userId: the wallet the key draws from (a user id, or an organization id for an organization's key). */
export interface ParsedKey { userId: string; key: string }

/** The key's shape only (no tag check). */
export function parseApiKey(key: string): ParsedKey | null {
  const m = KEY.exec(key);
  return m && WALLET_ID.test(m[1]!) ? { userId: m[1]!, key } : null;
}

/** A management key's shape; its tag covers `sk-gw-mgmt-<walletId>-` (check it with hasValidTag). */
export function parseManagementKey(key: string): (ParsedKey & { walletId: string }) | null {
  const m = MANAGEMENT_KEY.exec(key);
  return m && WALLET_ID.test(m[1]!) ? { userId: `mgmt-${m[1]!}`, walletId: m[1]!, key } : null;
}

function base64url(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array {
  const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
}

const keys = new Map<string, Promise<CryptoKey>>();

/** The HMAC key for one tag secret, imported once per isolate. */
function hmacKey(secret: string): Promise<CryptoKey> {
  let k = keys.get(secret);
  if (!k) {
    k = crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    keys.set(secret, k);
  }
  return k;
}

async function tag(secret: string, userId: string, random: Uint8Array): Promise<Uint8Array> {
  const prefix = new TextEncoder().encode(`sk-gw-${userId}-`);
  const data = new Uint8Array(prefix.length + random.length);
  data.set(prefix);
  data.set(random, prefix.length);
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(secret), data);
  return new Uint8Array(mac).slice(0, TAG_BYTES);
}

/** An API key for a wallet; `mgmt-<walletId>` as userId gives a management key. */
export async function generateApiKey(userId: string, tagSecret: string): Promise<string> {
  const random = crypto.getRandomValues(new Uint8Array(RANDOM_BYTES));
  const secret = new Uint8Array(RANDOM_BYTES + TAG_BYTES);
  secret.set(random);
  secret.set(await tag(tagSecret, userId, random), RANDOM_BYTES);
  return `sk-gw-${userId}-${base64url(secret)}`;
}

/**
 * Whether a well-formed key carries a valid tag (the worker issued it). Constant-time compare;
 * a non-canonical base64url spelling of a valid key is refused too.
 */
export async function hasValidTag(parsed: ParsedKey, tagSecret: string): Promise<boolean> {
  const encoded = parsed.key.slice(parsed.key.length - 43);
  const bytes = fromBase64url(encoded);
  if (bytes.length !== RANDOM_BYTES + TAG_BYTES || base64url(bytes) !== encoded) return false;
  const expected = await tag(tagSecret, parsed.userId, bytes.slice(0, RANDOM_BYTES));
  let diff = 0;
  for (let i = 0; i < TAG_BYTES; i++) diff |= expected[i]! ^ bytes[RANDOM_BYTES + i]!;
  return diff === 0;
}

/**
 * The key-tag secret: KEY_TAG_SECRET, else one derived from SESSION_SECRET (so rotating
 * SESSION_SECRET then invalidates every API key: set KEY_TAG_SECRET in production). null when
 * neither is set (32+ characters): then no key can be issued or accepted.
 */
export function keyTagSecret(env: { KEY_TAG_SECRET?: string; SESSION_SECRET?: string }): Promise<string | null> {
  if (env.KEY_TAG_SECRET && env.KEY_TAG_SECRET.length >= 32) return Promise.resolve(env.KEY_TAG_SECRET);
  const base = env.SESSION_SECRET;
  if (!base || base.length < 32) return Promise.resolve(null);
  let d = derived.get(base);
  if (!d) {
    d = hmacKey(base).then((k) => crypto.subtle.sign("HMAC", k, new TextEncoder().encode(TAG_LABEL))).then((mac) => base64url(new Uint8Array(mac)));
    derived.set(base, d);
  }
  return d;
}

const derived = new Map<string, Promise<string>>();

/** Keys whose tag this isolate checked, with their hash: a busy key skips the HMAC and SHA-256 after its first request. */
const TAGGED_CACHE_SIZE = 2048;
const tagged = new Map<string, { secret: string; hash: string }>();

/**
 * The SHA-256 of a key whose tag is valid under tagSecret, or null when its tag is not. Remembered
 * per isolate (at most TAGGED_CACHE_SIZE keys, the oldest forgotten first): the answer depends
 * only on the key and the secret, and revocation, expiry and limits are still checked by the
 * user's Durable Object on every request.
 */
export async function taggedKeyHash(parsed: ParsedKey, tagSecret: string): Promise<string | null> {
  const hit = tagged.get(parsed.key);
  if (hit && hit.secret === tagSecret) return hit.hash;
  if (!(await hasValidTag(parsed, tagSecret))) return null;
  const hash = await sha256Hex(parsed.key);
  if (tagged.size >= TAGGED_CACHE_SIZE) tagged.delete(tagged.keys().next().value!);
  tagged.set(parsed.key, { secret: tagSecret, hash });
  return hash;
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** What may be shown after creation: a prefix and the last 4 characters. */
export function keyDisplay(key: string): { prefix: string; last4: string } {
  return { prefix: key.slice(0, 12), last4: key.slice(-4) };
}

export function keysNotConfigured(): ApiError {
  return new ApiError(503, "api_keys_not_configured", "API keys are not configured on this deployment: set the KEY_TAG_SECRET secret (32+ characters).");
}
