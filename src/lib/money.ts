/**
 * Money in the gateway is an integer number of nano-USD (1 nUSD = 0.000000001 USD).
 * Balances, reservations, costs and ledger amounts all use this unit; a JS number holds
 * nUSD exactly up to about 9,007,199 USD, far above any prepaid balance.
 *
 * Catalog prices are integers in micro-USD per 1,000,000 tokens (µUSD/Mtok), which is the
 * same as pico-USD per token. A request's cost is computed exactly in pico-USD with BigInt
 * and converted to nUSD once, rounding half up (so the charge is within 0.0000000005 USD of
 * the exact formula; for every price that is a multiple of 0.001 USD/Mtok it is exact).
 */
export type Nano = number & { readonly __unit: "nano-usd" };

/**
 * An integer amount of nUSD as Nano: the one way in besides parseUsd and costNano (which build
 * integers from decimal text and BigInt). Throws on a fraction or an unsafe integer, so a float
 * never becomes money.
 */
export function nano(amount: number): Nano {
  if (!Number.isSafeInteger(amount)) throw new RangeError("money must be a safe integer of nUSD");
  return amount as Nano;
}

/** Σ of nUSD amounts (each a Nano, the sum checked as one). */
export const sumNano = (...amounts: Nano[]): Nano => nano(amounts.reduce((a, b) => a + b, 0));

export const NANO_PER_USD = 1_000_000_000n;

const DECIMAL = /^(-)?(\d{1,9})(?:\.(\d{1,9}))?$/;

/** Parses a USD decimal string ("10.00", "0.000001") into nUSD. Returns null if malformed. */
export function parseUsd(text: string): Nano | null {
  const m = DECIMAL.exec(text.trim());
  if (!m) return null;
  const whole = BigInt(m[2]!);
  const frac = BigInt((m[3] ?? "").padEnd(9, "0"));
  const value = whole * NANO_PER_USD + frac;
  // Up to 999,999,999.999999999 USD parses; beyond 9,007,199 USD the figure is no safe integer,
  // which the callers' own bounds refuse (a key's spend limit, a credit's balance limit) with a 400.
  return Number(m[1] ? -value : value) as Nano;
}

/**
 * Formats nUSD as a USD decimal string with at least 2 and at most 9 decimals. Display takes any
 * integer amount (D1 rows hold plain numbers); anything else throws.
 */
export function formatUsd(amount: Nano | number): string {
  if (!Number.isSafeInteger(amount)) throw new RangeError("money must be a safe integer");
  const negative = amount < 0;
  const abs = BigInt(Math.abs(amount));
  const whole = abs / NANO_PER_USD;
  let frac = (abs % NANO_PER_USD).toString().padStart(9, "0").replace(/0+$/, "");
  if (frac.length < 2) frac = frac.padEnd(2, "0");
  return `${negative ? "-" : ""}${whole}.${frac}`;
}

/** A catalog price (µUSD per 1M tokens = pUSD per token) as a USD-per-token decimal string. */
export function formatPricePerToken(microPerMillion: number): string {
  const abs = BigInt(microPerMillion);
  const whole = abs / 1_000_000_000_000n;
  const frac = (abs % 1_000_000_000_000n).toString().padStart(12, "0").replace(/0+$/, "");
  return frac ? `${whole}.${frac}` : `${whole}`;
}

/** A USD decimal string → µUSD per 1M tokens; used for seeding and operator price edits. */
export function parsePricePerMillion(text: string): number | null {
  const m = /^(\d{1,6})(?:\.(\d{1,6}))?$/.exec(text.trim());
  if (!m) return null;
  return Number(BigInt(m[1]!) * 1_000_000n + BigInt((m[2] ?? "").padEnd(6, "0")));
}

/** Σ tokens × pUSD-per-token, rounded half up to nUSD. Inputs must be non-negative integers. */
export function costNano(parts: ReadonlyArray<readonly [tokens: number, picoPerToken: number]>): Nano {
  let pico = 0n;
  for (const [tokens, price] of parts) {
    if (!Number.isSafeInteger(tokens) || tokens < 0 || !Number.isSafeInteger(price) || price < 0) {
      throw new RangeError("cost inputs must be non-negative integers");
    }
    pico += BigInt(tokens) * BigInt(price);
  }
  return Number((pico + 500n) / 1000n) as Nano; // an integer by construction (BigInt)
}

/** JSON number literal for a nUSD amount in USD (exact, no float conversion). */
export function usdJsonNumber(amount: Nano | number): unknown {
  const text = formatUsd(amount);
  const raw = (JSON as unknown as { rawJSON?: (s: string) => unknown }).rawJSON;
  return raw ? raw(text) : text;
}
