// Scenario names, chosen by the request's `model` (Gemini: the {model} path segment).
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import type { Usage } from "./http.js";

export type ErrorStatus = 400 | 401 | 404 | 429 | 500 | 503;

/** "none" = remove usage entirely; otherwise these figures replace the recorded ones. */
export type UsageMode = "none" | Usage;

export type Scenario =
  | { kind: "default" }
  | { kind: "fixture"; name: string }
  | { kind: "echo" }
  | { kind: "mirror" }
  | { kind: "error"; status: ErrorStatus }
  | { kind: "hang" }
  | { kind: "reset" }
  | { kind: "split" }
  | { kind: "usage"; mode: UsageMode }
  | { kind: "paced"; ttftMs: number; n: number; gapMs: number }
  /** Closes the connection before any response byte (a connection reset before the first byte). */
  | { kind: "drop" }
  /** `seq:<name>:<step>,<step>,…`: the n-th request with this exact model gets the n-th step (the last repeats). */
  | { kind: "sequence"; steps: string[] };

const ERRORS: Record<string, ErrorStatus> = {
  "error-400": 400,
  "error-401": 401,
  "error-429": 429,
  "error-500": 500,
  "error-503": 503,
};

export function parseScenario(model: string): Scenario {
  if (model.startsWith("fixture:")) return { kind: "fixture", name: model.slice("fixture:".length) };
  // `echo:<tag>` is echo under a model name of the test's own, so its request log is the test's alone.
  if (model.startsWith("echo:")) return { kind: "echo" };
  const seq = /^seq:[^:]+:(.+)$/.exec(model);
  if (seq) return { kind: "sequence", steps: seq[1]!.split(",") };
  const status = ERRORS[model];
  if (status) return { kind: "error", status };
  switch (model) {
    case "echo":
      return { kind: "echo" };
    case "mirror":
      return { kind: "mirror" };
    case "hang":
      return { kind: "hang" };
    case "drop":
      return { kind: "drop" };
    case "reset-mid-stream":
      return { kind: "reset" };
    case "split-bytes":
      return { kind: "split" };
    case "no-usage":
      return { kind: "usage", mode: "none" };
    case "negative-usage":
      return { kind: "usage", mode: { prompt: -50, completion: -10, total: -60 } };
    case "absurd-usage":
      return { kind: "usage", mode: { prompt: 999999999, completion: 999999999, total: 1999999998 } };
    case "slow-stream":
      return { kind: "paced", ttftMs: 10, n: 200, gapMs: 10 };
  }
  const paced = /^paced:(\d+):(\d+):(\d+)$/.exec(model);
  if (paced) return { kind: "paced", ttftMs: Number(paced[1]), n: Number(paced[2]), gapMs: Number(paced[3]) };
  return { kind: "default" };
}

/** Usage reported by slow-stream / paced: prompt 20, completion = number of chunks. */
export function pacedUsage(n: number): Usage {
  return { prompt: 20, completion: n, total: 20 + n };
}

/** `echo`'s fixed reply: 7 o200k tokens in 5 pieces, so its honest usage is 11 in, 7 out. */
export const ECHO_TEXT = "Echo reply from the stand-in.";
export const ECHO_USAGE: Usage = { prompt: 11, completion: 7, total: 18 };

/** `mirror` reports honestly: 11 in, and its reply's own o200k count out. */
export function mirrorUsage(text: string): Usage {
  const completion = countTokens(text);
  return { prompt: 11, completion, total: 11 + completion };
}

export const INTERNAL_DETAIL = "upstream-internal-detail-XYZ";
