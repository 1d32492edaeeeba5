// The admin price editor's rules: prices are edited as USD per 1M tokens (the unit PATCH
// /api/admin/models/:id takes and GET lists as usd_per_m), and a change of more than 10× either way
// needs a second confirmation. Exact decimal arithmetic: prices are compared as integer µUSD.

export const PRICE_FIELDS = ["input", "output", "cached_input", "cache_write"] as const;
export type PriceField = (typeof PRICE_FIELDS)[number];
/** Prices as the API lists them (usd_per_m): decimal strings, null where the model has none. */
export type Prices = Record<PriceField, string | null>;
/** The form: one text box per price; "" leaves an optional (cache) price unset. */
export type PriceForm = Record<PriceField, string>;

const PER_MILLION = /^(\d{1,6})(?:\.(\d{1,6}))?$/;
/** A change bigger than this factor, up or down, must be confirmed. */
export const CONFIRM_FACTOR = 10n;

/** "0.15" → 150000n (µUSD per 1M tokens); null if not a price the API accepts. */
export function parsePerMillion(text: string): bigint | null {
  const m = PER_MILLION.exec(text.trim());
  if (!m) return null;
  return BigInt(m[1]!) * 1_000_000n + BigInt((m[2] ?? "").padEnd(6, "0"));
}

export function formFromPrices(p: Prices): PriceForm {
  return { input: p.input ?? "", output: p.output ?? "", cached_input: p.cached_input ?? "", cache_write: p.cache_write ?? "" };
}

/** Fields whose text is not a valid price (input and output are required; cache prices may be blank). */
export function invalidFields(form: PriceForm): PriceField[] {
  return PRICE_FIELDS.filter((f) => {
    const v = form[f].trim();
    if (v === "") return f === "input" || f === "output";
    return parsePerMillion(v) === null;
  });
}

export interface BigChange { field: PriceField; from: string; to: string }

/** True when `to` is more than 10× `from` or less than a tenth of it (a price dropping to or rising from 0 counts). */
export function isBigChange(from: bigint, to: bigint): boolean {
  if (from === to) return false;
  if (from === 0n || to === 0n) return true;
  return to > from * CONFIRM_FACTOR || to * CONFIRM_FACTOR < from;
}

/** The edited prices that changed by more than 10× against the listed ones. */
export function bigChanges(before: Prices, form: PriceForm): BigChange[] {
  const out: BigChange[] = [];
  for (const field of PRICE_FIELDS) {
    const was = before[field];
    const next = form[field].trim();
    if (was === null || next === "") continue;
    const a = parsePerMillion(was);
    const b = parsePerMillion(next);
    if (a !== null && b !== null && isBigChange(a, b)) out.push({ field, from: was, to: next });
  }
  return out;
}

/** The PATCH body: every price in USD per 1M; a cleared cache price becomes null, one never set stays absent. */
export function patchBody(before: Prices, form: PriceForm, source: string): Record<string, string | null> {
  const body: Record<string, string | null> = {
    input_usd_per_m: form.input.trim(), output_usd_per_m: form.output.trim(), price_source: source.trim(),
  };
  for (const f of ["cached_input", "cache_write"] as const) {
    const v = form[f].trim();
    if (v !== "") body[`${f}_usd_per_m`] = v;
    else if (before[f] !== null) body[`${f}_usd_per_m`] = null;
  }
  return body;
}
