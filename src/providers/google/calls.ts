import { isObject, type Json } from "./wire";

/**
 * Assembles Gemini `functionCall` parts into OpenAI tool calls, for both whole responses and streams.
 *
 * Gemini sends a call in one of two ways:
 * 1. Whole: one part `{functionCall: {name, args?}}`. `args` may be missing (a call without
 *    arguments) → arguments "{}".
 * 2. Streamed (Vertex `streamFunctionCallArguments`, see google-stream-no-args-tool-call.chunks.txt):
 *    `{name, willContinue: true}` opens the call; following parts without a name carry
 *    `partialArgs: [{jsonPath, stringValue | numberValue | boolValue | nullValue, willContinue?}]`
 *    and `willContinue: true`; a part without `willContinue` (typically an empty `functionCall: {}`)
 *    closes it. Parts of one call are contiguous, and parallel calls follow one another.
 *
 * Assembly of partialArgs: each entry sets the value at its JSON path (RFC 9535 subset: `$`, `.name`,
 * `['name']`, `["name"]`, `[n]`) in the call's argument object, creating objects/arrays on the way.
 * A `stringValue` whose previous piece for the same path had `willContinue: true` is appended to
 * that piece (the fixture streams `{"$.id","A",willContinue}` then `{"$.id",""}` → `{"id":"A"}`);
 * other values replace. A call is emitted with its complete arguments (JSON.stringify of the
 * assembled object) when it closes, because path-addressed pieces cannot be turned into a valid
 * JSON text prefix; a streamed call announces its id and name as soon as it opens.
 *
 * Ids: Gemini gives none, so the n-th call of a response (0-based) gets `idFor(n)`, which callers
 * derive from the request id: the same response always yields the same ids.
 */

export interface AssembledCall {
  index: number;
  id: string;
  name: string;
  arguments: string;
}

export type CallEvent =
  | { kind: "open"; index: number; id: string; name: string }
  | { kind: "done"; call: AssembledCall; announced: boolean };

interface OpenCall {
  index: number;
  id: string;
  name: string;
  args: Json;
  /** Paths (JSON-encoded segment lists) whose last string piece said willContinue. */
  continuing: Set<string>;
  announced: boolean;
}

type Segment = string | number;

/** Parses the RFC 9535 subset Gemini emits; null when the path is not understood. */
export function parseJsonPath(path: string): Segment[] | null {
  if (!path.startsWith("$")) return null;
  const out: Segment[] = [];
  let i = 1;
  while (i < path.length) {
    if (path[i] === ".") {
      const m = /^[^.[\]\s'"]+/.exec(path.slice(i + 1));
      if (!m) return null;
      out.push(m[0]);
      i += 1 + m[0].length;
    } else if (path[i] === "[") {
      const rest = path.slice(i);
      const num = /^\[(\d{1,9})\]/.exec(rest);
      const quoted = /^\[\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\s*\]/.exec(rest);
      if (num) {
        out.push(Number(num[1]));
        i += num[0].length;
      } else if (quoted) {
        const raw = quoted[1]!;
        const body = raw.slice(1, -1).replace(/\\(.)/g, (_, c: string) => ({ n: "\n", t: "\t", r: "\r", b: "\b", f: "\f" })[c] ?? c);
        out.push(body);
        i += quoted[0].length;
      } else return null;
    } else return null;
  }
  return out;
}

const setOwn = (o: Json, key: string, value: unknown) =>
  Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });

/** Sets `value` at `path` under `root`. Array indices may extend an array by one at most (no holes). */
function setAt(root: Json, path: Segment[], value: unknown): void {
  let cur: unknown = root;
  for (let k = 0; k < path.length; k++) {
    const seg = path[k]!;
    const last = k === path.length - 1;
    const next = last ? value : undefined;
    if (typeof seg === "number") {
      if (!Array.isArray(cur) || seg > cur.length) return;
      if (last) cur[seg] = next;
      else if (typeof cur[seg] !== "object" || cur[seg] === null) cur[seg] = typeof path[k + 1] === "number" ? [] : Object.create(null);
      cur = cur[seg];
    } else {
      if (!isObject(cur)) return;
      if (last) setOwn(cur, seg, next);
      else if (typeof cur[seg] !== "object" || cur[seg] === null || Array.isArray(cur[seg]) !== (typeof path[k + 1] === "number")) {
        setOwn(cur, seg, typeof path[k + 1] === "number" ? [] : Object.create(null));
      }
      cur = (cur as Json)[seg];
    }
  }
}

function getAt(root: Json, path: Segment[]): unknown {
  let cur: unknown = root;
  for (const seg of path) {
    if (typeof cur !== "object" || cur === null || !Object.hasOwn(cur, seg)) return undefined;
    cur = (cur as Record<Segment, unknown>)[seg];
  }
  return cur;
}

export class CallAssembler {
  private open: OpenCall | null = null;
  private next = 0;

  constructor(private readonly idFor: (index: number) => string) {}

  /** Number of calls opened so far. */
  get count(): number {
    return this.next;
  }

  /** Feeds one part's `functionCall` value. */
  push(fc: unknown): CallEvent[] {
    if (!isObject(fc)) return [];
    const events: CallEvent[] = [];
    const name = typeof fc.name === "string" && fc.name !== "" ? fc.name : null;
    // A named part while a named call is still open starts a new call (the old one lost its terminator).
    if (this.open && name !== null && this.open.name !== "") events.push(...this.flush());
    const carriesArgs = isObject(fc.args) || Array.isArray(fc.partialArgs);
    if (!this.open) {
      if (name === null && !carriesArgs) return events; // a terminator with nothing open
      const index = this.next++;
      this.open = { index, id: this.idFor(index), name: "", args: Object.create(null) as Json, continuing: new Set(), announced: false };
    }
    const call = this.open;
    if (name !== null && call.name === "") call.name = name;
    if (isObject(fc.args)) for (const [k, v] of Object.entries(fc.args)) setOwn(call.args, k, v);
    if (Array.isArray(fc.partialArgs)) for (const pa of fc.partialArgs) this.applyPartial(call, pa);
    if (fc.willContinue === true) {
      if (!call.announced && call.name !== "") {
        call.announced = true;
        events.push({ kind: "open", index: call.index, id: call.id, name: call.name });
      }
      return events;
    }
    return [...events, ...this.flush()];
  }

  /** Closes the open call, if any (end of a response, or a finishReason while a call was open). */
  flush(): CallEvent[] {
    const call = this.open;
    if (!call) return [];
    this.open = null;
    const args = JSON.stringify(call.args);
    return [{ kind: "done", announced: call.announced, call: { index: call.index, id: call.id, name: call.name, arguments: args } }];
  }

  private applyPartial(call: OpenCall, pa: unknown): void {
    if (!isObject(pa) || typeof pa.jsonPath !== "string") return;
    const path = parseJsonPath(pa.jsonPath);
    if (!path || path.length === 0) return;
    const key = JSON.stringify(path);
    let value: unknown;
    if (typeof pa.stringValue === "string") {
      const prev = getAt(call.args, path);
      value = call.continuing.has(key) && typeof prev === "string" ? prev + pa.stringValue : pa.stringValue;
      if (pa.willContinue === true) call.continuing.add(key);
      else call.continuing.delete(key);
    } else if (typeof pa.numberValue === "number") value = pa.numberValue;
    else if (typeof pa.boolValue === "boolean") value = pa.boolValue;
    else if (pa.nullValue !== undefined) value = null;
    else return;
    setAt(call.args, path, value);
  }
}
