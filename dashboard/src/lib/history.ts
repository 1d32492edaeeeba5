// Playground history in this browser, one entry per signed-in user (never shared between people
// who use the same browser), removed on sign-out and account deletion. Pure: the storage is passed in.

export interface Meta { model: string; prompt: number; completion: number; cost: number | null; provider?: string }
export interface Msg { role: "user" | "assistant"; content: string; meta?: Meta }
export interface History { model: string; messages: Msg[] }

/** The part of the Web Storage API used here (localStorage in the browser). */
export interface KeyValueStore {
  readonly length: number;
  key(index: number): string | null;
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const PREFIX = "gateway-playground-v2:";
/** Before v2 one fixed key held whoever used the browser last. */
const LEGACY_KEY = "gateway-playground-v1";

export const emptyHistory = (): History => ({ model: "", messages: [] });

export function historyKey(userId: string): string {
  return `${PREFIX}${userId}`;
}

function isMsg(v: unknown): v is Msg {
  const m = v as Msg | null;
  return !!m && (m.role === "user" || m.role === "assistant") && typeof m.content === "string";
}

/** The user's own history; anything missing or malformed reads as empty. */
export function loadHistory(store: KeyValueStore, userId: string): History {
  try {
    const v = JSON.parse(store.getItem(historyKey(userId)) ?? "null") as Partial<History> | null;
    if (!v || !Array.isArray(v.messages)) return emptyHistory();
    return { model: typeof v.model === "string" ? v.model : "", messages: v.messages.filter(isMsg) };
  } catch {
    return emptyHistory();
  }
}

export function saveHistory(store: KeyValueStore, userId: string, history: History): void {
  try {
    store.setItem(historyKey(userId), JSON.stringify(history));
  } catch { /* storage full or disabled: the conversation just is not kept */ }
}

/** Removes every user's playground history (and the old shared one) from this browser. */
export function clearHistories(store: KeyValueStore): void {
  const keys: string[] = [];
  for (let i = 0; i < store.length; i++) {
    const k = store.key(i);
    if (k !== null && (k.startsWith(PREFIX) || k === LEGACY_KEY)) keys.push(k);
  }
  for (const k of keys) store.removeItem(k);
}
