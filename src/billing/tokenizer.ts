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

/**
 * Where the piece starting at `start` ends: before the last space within PIECE_CHARS that starts a
 * run of white space (cutting inside a run would split one white-space token in two), or, in a run
 * without any, at PIECE_CHARS exactly (a blind cut), never between the halves of a surrogate pair.
 */
function pieceEnd(text: string, start: number): { end: number; blind: boolean } {
  const limit = start + PIECE_CHARS;
  if (limit >= text.length) return { end: text.length, blind: false };
  let space = text.lastIndexOf(" ", limit);
  while (space > start && /\s/.test(text[space - 1]!)) space = text.lastIndexOf(" ", space - 1);
  if (space > start) return { end: space, blind: false };
  const high = text.charCodeAt(limit - 1);
  return { end: high >= 0xd800 && high <= 0xdbff ? limit - 1 : limit, blind: true };
}

/** Tokens of `text` counted piece by piece, and how many cuts were blind (inside a run without white space). */
function countPieces(count: Counter, text: string): { tokens: number; blindCuts: number } {
  let tokens = 0;
  let blindCuts = 0;
  for (let start = 0; start < text.length;) {
    const { end, blind } = pieceEnd(text, start);
    if (blind) blindCuts++;
    tokens += count(text.slice(start, end));
    start = end;
  }
  return { tokens, blindCuts };
}

/**
 * o200k tokens of `text` (exact up to EXACT_CHARS characters). Throws if loadTokenizer() has not
 * finished: a silent fallback would make the same request estimate differently.
 */
export function countTokens(text: string): number {
  if (!counter) throw new Error("tokenizer not loaded: await loadTokenizer() first");
  if (text.length <= EXACT_CHARS) return countPieces(counter, text).tokens;
  const head = text.slice(0, EXACT_CHARS);
  const exact = countPieces(counter, head).tokens;
  const rest = text.slice(EXACT_CHARS);
  const extrapolated = Math.ceil((rest.length * exact) / head.length);
  return exact + Math.max(extrapolated, Math.ceil(utf8Bytes(rest) / 4));
}

/**
 * A lower bound of the o200k tokens of `text`, for billing's output floor: counted as countTokens
 * does, less two tokens for each blind cut (a cut inside a run without white space can split a
 * token, or shift a group of digits, and cost up to two), and for a text over EXACT_CHARS characters
 * its first EXACT_CHARS only, never extrapolated: an honest provider's report is never below it.
 */
export function countTokensAtLeast(text: string): number {
  if (!counter) throw new Error("tokenizer not loaded: await loadTokenizer() first");
  const head = text.length <= EXACT_CHARS ? text : text.slice(0, EXACT_CHARS);
  const { tokens, blindCuts } = countPieces(counter, head);
  return Math.max(0, tokens - 2 * blindCuts - (head.length < text.length ? 2 : 0));
}
