/**
 * Token counting for billing (docs/billing.md, "Counting tokens").
 *
 * OpenAI-family models use the o200k_base encoding of `gpt-tokenizer` (GPT-4o, 4.1, o-series, 5).
 * Its ranks weigh about 2.7 MB minified (1.1 MB gzipped), so the module is loaded on first use
 * (`loadTokenizer()`, awaited by the pipeline before it estimates) instead of at isolate start.
 *
 * Counting is bounded in CPU: text is cut into pieces of at most PIECE_CHARS characters (at white
 * space where there is any: BPE never merges across the cuts the pre-tokenizer makes there), and
 * only the first EXACT_CHARS characters of one text are counted exactly; the rest is extrapolated
 * at the measured tokens per character, never below one token per 4 UTF-8 bytes.
 */
type Counter = (text: string) => number;

let counter: Counter | null = null;
let loading: Promise<void> | null = null;

/** Loads the o200k encoder once per isolate. */
export function loadTokenizer(): Promise<void> {
  loading ??= import("gpt-tokenizer/encoding/o200k_base").then((m) => {
    const options = { allowedSpecial: new Set<string>(), disallowedSpecial: new Set<string>() };
    counter = (text) => m.countTokens(text, options);
  });
  return loading;
}

export function tokenizerLoaded(): boolean {
  return counter !== null;
}

/** Longest piece handed to the BPE at once (long runs without spaces are slow to merge). */
const PIECE_CHARS = 256;
/** Characters of one text counted exactly; beyond that the count is extrapolated. */
export const EXACT_CHARS = 65_536;

const encoder = new TextEncoder();
export const utf8Bytes = (s: string): number => encoder.encode(s).length;

function countPieces(count: Counter, text: string): number {
  let total = 0;
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + PIECE_CHARS);
    if (end < text.length) {
      const space = text.lastIndexOf(" ", end);
      if (space > start) end = space;
    }
    total += count(text.slice(start, end));
    start = end;
  }
  return total;
}

/**
 * o200k tokens of `text` (exact up to EXACT_CHARS characters). Throws if loadTokenizer() has not
 * finished: a silent fallback would make the same request estimate differently.
 */
export function countTokens(text: string): number {
  if (!counter) throw new Error("tokenizer not loaded: await loadTokenizer() first");
  if (text.length <= EXACT_CHARS) return countPieces(counter, text);
  const head = text.slice(0, EXACT_CHARS);
  const exact = countPieces(counter, head);
  const rest = text.slice(EXACT_CHARS);
  const extrapolated = Math.ceil((rest.length * exact) / head.length);
  return exact + Math.max(extrapolated, Math.ceil(utf8Bytes(rest) / 4));
}

/**
 * A lower bound of the o200k tokens of `text`, for billing's output floor: exact up to EXACT_CHARS
 * characters; a longer text counts its first EXACT_CHARS only (cut at white space), never extrapolated,
 * so an honest provider's report is never below it.
 */
export function countTokensAtLeast(text: string): number {
  if (!counter) throw new Error("tokenizer not loaded: await loadTokenizer() first");
  if (text.length <= EXACT_CHARS) return countPieces(counter, text);
  const space = text.lastIndexOf(" ", EXACT_CHARS);
  // A cut inside a word may end in a token the whole text merges with the next: one less is safe.
  return space > 0 ? countPieces(counter, text.slice(0, space)) : Math.max(0, countPieces(counter, text.slice(0, EXACT_CHARS)) - 1);
}
