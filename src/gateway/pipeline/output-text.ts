import type { OpenAIChatCompletion } from "../../providers/transform";

/** Output text of a chat completion (text, reasoning, refusals, tool names and arguments), for the gateway's own count. */
export function completionText(c: Pick<OpenAIChatCompletion, "choices">): string {
  let out = "";
  for (const choice of Array.isArray(c.choices) ? c.choices : []) {
    const m = (choice?.message ?? {}) as Record<string, unknown>;
    for (const k of ["content", "reasoning_content", "reasoning", "refusal"]) if (typeof m[k] === "string") out += m[k] as string;
    if (Array.isArray(m.tool_calls)) {
      for (const t of m.tool_calls as Array<{ function?: { name?: unknown; arguments?: unknown } }>) {
        if (typeof t?.function?.name === "string") out += t.function.name;
        if (typeof t?.function?.arguments === "string") out += t.function.arguments;
      }
    }
  }
  return out;
}

/**
 * Output text of a Responses API `output` array: message text, reasoning text, refusals, tool-call
 * arguments. Reasoning summaries are left out: they are not billed as output (responses.ts).
 */
export function responsesOutputText(output: unknown): string {
  let out = "";
  const visit = (item: unknown): void => {
    if (!item || typeof item !== "object") return;
    const o = item as Record<string, unknown>;
    for (const k of ["text", "refusal", "arguments", "input"]) if (typeof o[k] === "string") out += o[k] as string;
    if (Array.isArray(o.content)) o.content.forEach(visit);
  };
  if (Array.isArray(output)) output.forEach(visit);
  return out;
}
