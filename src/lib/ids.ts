const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

/** n random characters from [0-9a-z], from the platform CSPRNG. */
export function randomToken(n: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(n));
  let out = "";
  // 252 = 7 × 36: rejection sampling keeps the distribution uniform.
  for (let i = 0; out.length < n; i++) {
    if (i === bytes.length) { crypto.getRandomValues(bytes); i = 0; }
    const b = bytes[i]!;
    if (b < 252) out += ALPHABET[b % 36];
  }
  return out;
}

/**
 * Random bytes for ids (not secrets: randomToken serves those), drawn from the platform CSPRNG
 * 1 KiB at a time instead of one call per id. Filled on first use, never at module scope
 * (Workers refuse random values outside a request).
 */
const POOL_BYTES = 1024;
let pool: Uint8Array | null = null;
let poolAt = POOL_BYTES;

function idChars(n: number): string {
  pool ??= new Uint8Array(POOL_BYTES);
  let out = "";
  while (out.length < n) {
    if (poolAt === POOL_BYTES) { crypto.getRandomValues(pool); poolAt = 0; }
    const b = pool[poolAt++]!;
    // 252 = 7 × 36: rejection sampling keeps the distribution uniform.
    if (b < 252) out += ALPHABET[b % 36];
  }
  return out;
}

/** Time-ordered id: prefix, 10 base36 chars of ms time, 12 random chars. */
export function newId(prefix: string, now = Date.now()): string {
  return `${prefix}${now.toString(36).padStart(10, "0")}${idChars(12)}`;
}

/** User ids: "u" + 20 chars; they also address the user's Durable Object and appear in API keys. */
export function newUserId(): string {
  return `u${randomToken(20)}`;
}

export const USER_ID = /^u[0-9a-z]{20}$/;

/** Organization ids: "o" + 20 chars; an organization's wallet (its Durable Object) is addressed by it. */
export function newOrgId(): string {
  return `o${randomToken(20)}`;
}

/** A wallet: a user's own, or an organization's. API keys carry the wallet they draw from. */
export const WALLET_ID = /^[uo][0-9a-z]{20}$/;
