// SSE framing per API and a paced, disconnect-aware writer.
import type { ServerResponse } from "node:http";
import type { FixtureApi } from "./fixtures.js";

export interface Framing {
  contentType: string;
  head: string;
  frame(line: string, index: number): string;
  tail: string;
}

const dataLF: Framing = {
  contentType: "text/event-stream; charset=utf-8",
  head: "",
  frame: (l) => `data: ${l}\n\n`,
  tail: "data: [DONE]\n\n",
};

const eventLF: Framing = {
  contentType: "text/event-stream; charset=utf-8",
  head: "",
  frame: (l) => `event: ${eventType(l)}\ndata: ${l}\n\n`,
  tail: "",
};

const geminiSse: Framing = {
  contentType: "text/event-stream",
  head: "",
  frame: (l) => `data: ${l}\r\n\r\n`,
  tail: "",
};

/** Gemini streamGenerateContent without alt=sse: one JSON array, element by element. */
const geminiArray: Framing = {
  contentType: "application/json; charset=UTF-8",
  head: "[",
  frame: (l, i) => (i === 0 ? l : `,\r\n${l}`),
  tail: "]",
};

/** Framing from the README table. `geminiAlt` = the request had `?alt=sse` (or is not Gemini-native). */
export function framingFor(api: FixtureApi, geminiAlt: boolean): Framing {
  switch (api) {
    case "chat":
      return dataLF;
    case "responses":
    case "anthropic":
    case "cohere":
      return eventLF;
    case "gemini":
      return geminiAlt ? geminiSse : geminiArray;
  }
}

function eventType(line: string): string {
  try {
    const t = (JSON.parse(line) as { type?: unknown }).type;
    return typeof t === "string" ? t : "message";
  } catch {
    return "message";
  }
}

/** Tracks whether the client went away (or the response ended) and wakes sleepers. */
export class Liveness {
  private closed = false;
  private wakers = new Set<() => void>();
  constructor(res: ServerResponse) {
    res.on("close", () => {
      this.closed = true;
      for (const w of this.wakers) w();
      this.wakers.clear();
    });
  }
  get gone(): boolean {
    return this.closed;
  }
  /** Resolves after `ms`, or early when the client goes away. */
  sleep(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.wakers.add(done);
    });
  }
}

export function startStream(res: ServerResponse, contentType: string, extra: Record<string, string> = {}): void {
  res.writeHead(200, {
    "content-type": contentType,
    "cache-control": "no-cache",
    ...extra,
  });
  res.flushHeaders();
}

const tick = () => new Promise<void>((r) => setImmediate(r));
const timerTick = () => new Promise<void>((r) => setTimeout(r, 0));

/** Fragments that get a timer pause (about 1 ms) so the reader really sees them one by one. */
const SLOW_FRAGMENTS = 600;

/**
 * Yields between writes. Split-byte streams pause on a timer for their first fragments
 * (a loopback reader would otherwise coalesce them), then only yield to keep tests fast.
 */
export function pause(split: boolean, index: number): Promise<void> {
  return split && index < SLOW_FRAGMENTS ? timerTick() : tick();
}

/** Writes one piece, waiting for 'drain' when the socket buffer is full. */
export async function write(res: ServerResponse, live: Liveness, data: string | Uint8Array): Promise<boolean> {
  if (live.gone) return false;
  if (!res.write(data)) {
    await new Promise<void>((r) => {
      const done = () => {
        res.off("drain", done);
        res.off("close", done);
        r();
      };
      res.on("drain", done);
      res.on("close", done);
    });
  }
  return !live.gone;
}

export interface ReplayOptions {
  /** Cut the bytes into tiny fragments (see `fragments`). */
  splitBytes?: boolean;
  /** Stop after this many lines and destroy the socket (no tail). */
  resetAfter?: number;
}

/** Replays JSON lines with the framing; one write per event, yielding between writes. */
export async function replay(
  res: ServerResponse,
  live: Liveness,
  framing: Framing,
  lines: string[],
  opts: ReplayOptions = {},
): Promise<void> {
  startStream(res, framing.contentType);
  const pieces: string[] = [];
  if (framing.head) pieces.push(framing.head);
  const upto = opts.resetAfter ?? lines.length;
  lines.slice(0, upto).forEach((l, i) => pieces.push(framing.frame(l, i)));
  if (opts.resetAfter === undefined && framing.tail) pieces.push(framing.tail);
  const out: (string | Buffer)[] = opts.splitBytes ? fragments(pieces.join("")) : pieces;
  for (let i = 0; i < out.length; i++) {
    if (!(await write(res, live, out[i]!))) return;
    await pause(opts.splitBytes === true, i);
  }
  if (opts.resetAfter !== undefined) {
    // Give the kernel a moment to flush what was written, then cut the connection.
    await live.sleep(20);
    res.socket?.destroy();
    return;
  }
  res.end();
}

const SIZES = [7, 1, 3, 11, 2, 5, 13, 4];

/**
 * Cuts the UTF-8 bytes of `text` into fragments of 1..13 bytes (cycling sizes), so cuts
 * land inside lines and inside multi-byte characters, and always cuts right after every
 * `\r` so that each CRLF pair is split across two writes.
 */
export function fragments(text: string): Buffer[] {
  const bytes = Buffer.from(text, "utf8");
  const out: Buffer[] = [];
  let i = 0;
  let k = 0;
  while (i < bytes.length) {
    let end = Math.min(bytes.length, i + SIZES[k++ % SIZES.length]!);
    const cr = bytes.indexOf(0x0d, i);
    if (cr !== -1 && cr < end) end = cr + 1;
    out.push(bytes.subarray(i, end));
    i = end;
  }
  return out;
}
