import { describe, expect, it } from "vitest";
import doc from "../../docs/compatibility.md?raw";
import { HINT_CHAT_FIELDS, TRANSLATION_REFUSED_CHAT_FIELDS } from "../../src/providers/chat-policy";
import { chatCompletionSchema, REFUSED_CHAT_FIELDS } from "../../src/wire/chat";
import { EMBEDDINGS_FIELDS } from "../../src/wire/embeddings";
import { RESPONSES_REFUSED_FIELDS } from "../../src/gateway/pipeline/priced-options";
import { responsesSchema } from "../../src/wire/responses";
import { REFUSED_MESSAGES_FIELDS, messagesRequestSchema } from "../../src/surfaces/anthropic/schema";
import { HINT_MESSAGES_FIELDS } from "../../src/surfaces/anthropic/to-openai";

const STATUSES = new Set(["passed", "translated", "dropped", "refused"]);

/** The table under `## <heading>` as rows of cells: parameter → [status columns…]. */
function table(heading: string): Map<string, string[]> {
  const start = doc.indexOf(`\n## ${heading}`);
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const section = doc.slice(start + 1).split(/\n## /)[0]!;
  const rows = new Map<string, string[]>();
  for (const line of section.split("\n")) {
    if (!line.startsWith("| ") || line.startsWith("| parameter") || line.startsWith("| ---")) continue;
    const cells = line.split("|").slice(1, -1).map((c) => c.trim());
    const statuses = cells.slice(1, -1);
    for (const s of statuses) expect(STATUSES.has(s), `${heading}: '${s}' for ${cells[0]}`).toBe(true);
    expect(rows.has(cells[0]!), `${heading}: ${cells[0]} listed twice`).toBe(false);
    rows.set(cells[0]!, statuses);
  }
  return rows;
}
const withStatus = (rows: Map<string, string[]>, column: number, status: string) =>
  [...rows].filter(([, s]) => s[column] === status).map(([p]) => p).sort();
const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();

describe("docs/compatibility.md matches the code", () => {
  it("chat completions: every schema field and every refused field has a row; refused and dropped lists agree", () => {
    const rows = table("POST /chat/completions");
    expect(sorted(rows.keys())).toEqual(sorted([...Object.keys(chatCompletionSchema.shape), ...Object.keys(REFUSED_CHAT_FIELDS), ...Object.keys(TRANSLATION_REFUSED_CHAT_FIELDS)]));
    expect(withStatus(rows, 0, "refused")).toEqual(sorted(Object.keys(REFUSED_CHAT_FIELDS)));
    expect(withStatus(rows, 1, "dropped")).toEqual(sorted(HINT_CHAT_FIELDS));
    expect(withStatus(rows, 1, "refused")).toEqual(sorted([...Object.keys(REFUSED_CHAT_FIELDS), ...Object.keys(TRANSLATION_REFUSED_CHAT_FIELDS)]));
  });

  it("responses: every checked field and every refused field has a row; the refused list agrees", () => {
    const rows = table("POST /responses");
    for (const f of [...Object.keys(responsesSchema.shape), ...RESPONSES_REFUSED_FIELDS]) expect(rows.has(f), f).toBe(true);
    expect(withStatus(rows, 0, "refused")).toEqual(sorted(RESPONSES_REFUSED_FIELDS));
  });

  it("embeddings: exactly the known fields; user is the one dropped when translating", () => {
    const rows = table("POST /embeddings");
    expect(sorted(rows.keys())).toEqual(sorted(EMBEDDINGS_FIELDS));
    expect(withStatus(rows, 1, "dropped")).toEqual(["user"]);
  });

  it("messages: every schema field and every refused field has a row; refused and dropped lists agree", () => {
    const rows = table("POST /messages (and /messages/count_tokens)");
    expect(sorted(rows.keys())).toEqual(sorted([...Object.keys(messagesRequestSchema.shape), ...Object.keys(REFUSED_MESSAGES_FIELDS)]));
    expect(withStatus(rows, 0, "refused")).toEqual(sorted(Object.keys(REFUSED_MESSAGES_FIELDS)));
    expect(withStatus(rows, 1, "dropped")).toEqual(sorted(HINT_MESSAGES_FIELDS));
    expect(withStatus(rows, 1, "refused")).toEqual(sorted(Object.keys(REFUSED_MESSAGES_FIELDS)));
  });
});
