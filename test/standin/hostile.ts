// Hostile usage reports (OpenAI chat format), for the billing property tests:
// `hostile:<mode>:<n>` sends n "tok " chunks (n pieces of content non-streamed) and reports usage as
// the mode says. Content is `tok ` × n, so every piece is exactly one o200k token.
import { sendJson, nowSec, type Ctx } from "./http.js";
import { startStream, write } from "./sse.js";

export type HostileMode = "zero" | "missing" | "early" | "absurd" | "ignore-cap" | "under" | "garbage";
export const HOSTILE_MODES: readonly HostileMode[] = ["zero", "missing", "early", "absurd", "ignore-cap", "under", "garbage"];

export function parseHostile(model: string): { mode: HostileMode; n: number } | null {
  const m = /^hostile:([a-z-]+):(\d+)$/.exec(model);
  if (!m || !HOSTILE_MODES.includes(m[1] as HostileMode)) return null;
  return { mode: m[1] as HostileMode, n: Number(m[2]) };
}

/** The usage object the mode reports, or null for none. */
function reported(ctx: Ctx, mode: HostileMode, n: number): Record<string, number> | null {
  const cap = Number(ctx.body.max_completion_tokens ?? ctx.body.max_tokens ?? n);
  switch (mode) {
    case "zero": return { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
    case "missing": return { prompt_tokens: 20, total_tokens: 20 };
    // Early is a stream's fault (a usage chunk before the content); a whole answer reports honestly.
    case "early": return ctx.stream ? { prompt_tokens: 20, completion_tokens: 1, total_tokens: 21 } : { prompt_tokens: 20, completion_tokens: n, total_tokens: 20 + n };
    case "absurd": return { prompt_tokens: 1e12, completion_tokens: 1e12, total_tokens: 2e12 };
    case "ignore-cap": return { prompt_tokens: 20, completion_tokens: Math.min(n, cap), total_tokens: 20 + Math.min(n, cap) };
    // Well-formed, on time, and low: a quarter of the output sent (at least 1).
    case "under": { const c = Math.max(1, Math.floor(n / 4)); return { prompt_tokens: 20, completion_tokens: c, total_tokens: 20 + c }; }
    case "garbage": return null;
  }
}

export async function serveHostile(ctx: Ctx, mode: HostileMode, n: number): Promise<void> {
  const base = { id: "chatcmpl-hostile", object: "chat.completion.chunk", created: nowSec(), model: ctx.model };
  const usage = reported(ctx, mode, n);
  if (!ctx.stream) {
    return sendJson(ctx.res, 200, {
      ...base, object: "chat.completion",
      choices: [{ index: 0, message: { role: "assistant", content: "tok ".repeat(n), refusal: null }, logprobs: null, finish_reason: "stop" }],
      ...(usage ? { usage } : {}),
    });
  }
  const { res, live } = ctx;
  const send = (obj: unknown) => write(res, live, `data: ${JSON.stringify(obj)}\n\n`);
  startStream(res, "text/event-stream; charset=utf-8");
  if (mode === "garbage") {
    for (let i = 0; i < n; i++) if (!(await write(res, live, `data: {not json ${i}\n\n`))) return;
  } else {
    if (mode === "early" && !(await send({ ...base, choices: [], usage }))) return;
    for (let i = 0; i < n; i++) {
      if (!(await send({ ...base, choices: [{ index: 0, delta: i === 0 ? { role: "assistant", content: "tok " } : { content: "tok " }, logprobs: null, finish_reason: null }] }))) return;
    }
    if (!(await send({ ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: "stop" }] }))) return;
    if (mode !== "early" && usage && !(await send({ ...base, choices: [], usage }))) return;
  }
  if (await write(res, live, "data: [DONE]\n\n")) res.end();
}
