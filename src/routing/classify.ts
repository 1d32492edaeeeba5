import { estimateChatPromptTokens } from "../billing/estimate";
import type { ChatCompletionRequest } from "../wire/chat";

/**
 * Task types the auto router distinguishes. Each has its own preference list (src/routing/auto.ts,
 * docs/routing.md).
 */
export const TASK_TYPES = ["code", "math_reasoning", "long_context", "vision", "tools", "chat"] as const;
export type TaskType = (typeof TASK_TYPES)[number];

/** Estimated prompt tokens (estimateChatPromptTokens) from which a request is `long_context`. */
export const LONG_CONTEXT_TOKENS = 32_000;

/** Score from which text signals make a request `code` or `math_reasoning`. */
export const SIGNAL_THRESHOLD = 2;

/** At most this many characters of message text are scanned for signals, newest messages first. */
export const SCAN_LIMIT_CHARS = 32_000;

/** Line-anchored signals read at most this many lines, each cut to LINE_LIMIT_CHARS. */
export const SCAN_LIMIT_LINES = 2_000;
export const LINE_LIMIT_CHARS = 400;

/** The parts of a chat request the classifier reads. */
export type ClassifiableRequest = Pick<ChatCompletionRequest, "messages" | "tools">;

export interface Classification {
  task: TaskType;
  /** estimateChatPromptTokens of the request (messages + tools + images). */
  promptTokens: number;
  /** Why, in short ASCII phrases ("image input", "code fence", "latex"), strongest first. */
  signals: string[];
  /** The text scores behind `code` / `math_reasoning` (0 when not computed). */
  scores: { code: number; math: number };
}

type Message = ChatCompletionRequest["messages"][number];

/**
 * A text signal. Every pattern runs in linear time: no `m` flag and no `\s` runs in front of an
 * anchor (that combination is quadratic on runs of line breaks). Patterns about the start of a
 * line (`line: true`) are tested on each line separately (see lines()), anchored with `^` alone.
 */
interface Signal {
  name: string;
  weight: number;
  test: RegExp;
  line?: boolean;
}

/**
 * Code signals. A fence or a stack trace alone decides (weight ≥ threshold); language syntax and
 * programming vocabulary each add a little, so two of them together also decide.
 */
const CODE_SIGNALS: Signal[] = [
  { name: "code fence", weight: 3, test: /```/ },
  { name: "stack trace", weight: 3, test: /Traceback \(most recent call last\)|Exception in thread "|panicked at |Segmentation fault/ },
  { name: "stack trace", weight: 3, line: true, test: /^[ \t]+(?:at [^ \t]+ \(?[^ \t():]+(?::\d+){1,2}\)?$|File "[^"]+", line \d+)/ },
  {
    name: "language syntax", weight: 2, line: true,
    // Case-sensitive on purpose: "Import duties…" or "Let x = 2" are prose, not code.
    test: /^[ \t]*(?:def \w+\(|class \w+[:({<]|import [\w.]+(?: as \w+)?;?$|import (?:\{|\w+ from )|from [\w.]+ import |(?:export )?(?:async )?function\*? ?\w*\(|(?:const|var) \w+ = |let mut \w+|#include ?[<"]|public (?:static )?(?:void|class|int|final)\b|fn \w+[(<]|impl(?:<[^>]*>)? \w+|package [\w.]+;$|func (?:\([^)]*\) )?\w+\(|SELECT [^\n]+ FROM |CREATE TABLE )/,
  },
  { name: "code tokens", weight: 1, test: /=>|!==|===|::|->|\b\w{1,64}\([^()\n]{0,200}\)\s*[{;]|console\.log|printf\(|System\.out/ },
  {
    name: "programming terms", weight: 1,
    test: /\b(?:refactor|compile[rsd]?|debug(?:ging)?|unit tests?|stack trace|regex|function|bug|typescript|javascript|python|rust|golang|java|c\+\+|sql query|api endpoint|segfault|null pointer|exception)\b/i,
  },
];

/**
 * Math and logic signals: LaTeX or math symbols decide; equations, proof words and
 * "step by step" each add a little.
 */
const MATH_SIGNALS: Signal[] = [
  { name: "latex", weight: 3, test: /\\(?:frac|sqrt|int|sum|prod|lim|begin\{(?:equation|align|matrix|pmatrix|cases)\}|mathbb|mathrm|cdot|leq|geq|neq|infty|binom|pi|theta|alpha|partial)\b|\$\$[^$]+\$\$/ },
  { name: "math symbols", weight: 3, test: /[∫∑∏√∞≤≥≠±∂∀∃∈⊂⊆]/ },
  { name: "proof", weight: 2, test: /\b(?:prove|proof|theorem|lemma|corollary|induction|contradiction)\b/i },
  { name: "equation", weight: 2, test: /\b\d+\s*[-+*/^×÷]\s*\d+\s*=|\b[a-z]\s*\^\s*\d|\b\d*[a-z]\s*[-+]\s*\d+\s*=\s*-?\d+|\b[fgh]\([a-z]\)\s*=/i },
  {
    name: "math terms", weight: 1,
    test: /\b(?:solve|integral|derivative|equation|probability|polynomial|matrix|eigen\w*|logarithm|factorial|prime numbers?|how many ways|expected value|modulo|geometry|triangle|riddle|puzzle|logic)\b/i,
  },
  { name: "step by step", weight: 1, test: /\bstep[- ]by[- ]step\b|\bshow (?:your|the) work\b|\breason carefully\b/i },
];

function partsOf(m: Message): Array<{ type: string }> {
  const content = (m as { content?: unknown }).content;
  return Array.isArray(content) ? (content as Array<{ type: string }>) : [];
}

function textOf(m: Message): string {
  const content = (m as { content?: unknown }).content;
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return (content as Array<{ type: string; text?: string }>).filter((p) => p.type === "text").map((p) => p.text ?? "").join("\n");
}

/** Message text to scan: newest first, at most SCAN_LIMIT_CHARS in all (assistant turns included). */
function scanText(messages: readonly Message[]): string {
  const out: string[] = [];
  let left = SCAN_LIMIT_CHARS;
  for (let i = messages.length - 1; i >= 0 && left > 0; i--) {
    const t = textOf(messages[i]!);
    if (!t) continue;
    const piece = t.length > left ? t.slice(0, left) : t;
    out.push(piece);
    left -= piece.length;
  }
  return out.join("\n");
}

/** The non-blank lines of the scanned text, at most SCAN_LIMIT_LINES, each cut to LINE_LIMIT_CHARS. */
export function lines(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  while (start <= text.length && out.length < SCAN_LIMIT_LINES) {
    const end = text.indexOf("\n", start);
    const stop = end === -1 ? text.length : end;
    if (stop > start && text.slice(start, Math.min(stop, start + LINE_LIMIT_CHARS)).trim() !== "") {
      out.push(text.slice(start, Math.min(stop, start + LINE_LIMIT_CHARS)));
    }
    if (end === -1) break;
    start = end + 1;
  }
  return out;
}

function score(text: string, textLines: readonly string[], signals: Signal[]): { score: number; hits: string[] } {
  let total = 0;
  const hits: string[] = [];
  for (const s of signals) {
    if (hits.includes(s.name)) continue;
    if (s.line ? textLines.some((l) => s.test.test(l)) : s.test.test(text)) {
      total += s.weight;
      hits.push(s.name);
    }
  }
  return { score: total, hits };
}

/**
 * Classifies an OpenAI chat request into one task type. Pure: no I/O, no clock.
 *
 * Precedence (the first rule that matches wins):
 *   1. vision        — any `image_url` content part (an image needs a vision model);
 *   2. tools         — `tools` is non-empty, or the history has tool calls / tool results;
 *   3. long_context  — estimated prompt tokens ≥ LONG_CONTEXT_TOKENS (opts.longContextTokens);
 *   4. code          — code score ≥ SIGNAL_THRESHOLD and ≥ the math score (``` fences, stack
 *                      traces, language syntax, programming vocabulary);
 *   5. math_reasoning — math score ≥ SIGNAL_THRESHOLD (LaTeX, math symbols, "prove", equations,
 *                      "step by step");
 *   6. chat          — everything else.
 * Rules 1–3 are hard requirements of the request (a capability or a context size); 4–5 are
 * preferences read from the text, so a tie between them goes to code.
 */
export function classifyChatRequest(req: ClassifiableRequest, opts: { longContextTokens?: number } = {}): Classification {
  const promptTokens = estimateChatPromptTokens(req);
  const none = { code: 0, math: 0 };

  const images = req.messages.reduce((n, m) => n + partsOf(m).filter((p) => p.type === "image_url").length, 0);
  if (images > 0) return { task: "vision", promptTokens, signals: [`image input (${images})`], scores: none };

  if (req.tools && req.tools.length > 0) return { task: "tools", promptTokens, signals: [`tools (${req.tools.length})`], scores: none };
  if (req.messages.some((m) => m.role === "tool" || (m.role === "assistant" && (m.tool_calls?.length ?? 0) > 0))) {
    return { task: "tools", promptTokens, signals: ["tool calls in history"], scores: none };
  }

  const longAt = opts.longContextTokens ?? LONG_CONTEXT_TOKENS;
  if (promptTokens >= longAt) return { task: "long_context", promptTokens, signals: [`prompt ~${promptTokens} tokens >= ${longAt}`], scores: none };

  const text = scanText(req.messages);
  const textLines = lines(text);
  const code = score(text, textLines, CODE_SIGNALS);
  const math = score(text, textLines, MATH_SIGNALS);
  const scores = { code: code.score, math: math.score };
  if (code.score >= SIGNAL_THRESHOLD && code.score >= math.score) return { task: "code", promptTokens, signals: code.hits, scores };
  if (math.score >= SIGNAL_THRESHOLD) return { task: "math_reasoning", promptTokens, signals: math.hits, scores };
  return { task: "chat", promptTokens, signals: [], scores };
}
