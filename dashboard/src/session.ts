// The signed-in user, shared by the shell and the pages.
import { useEffect, useState } from "preact/hooks";
import { getSession } from "./api/auth";
import { ApiFailure } from "./api/client";
import type { User } from "./api/types";
import { clearHistories } from "./lib/history";

type State = { loaded: boolean; user: User | null };
let state: State = { loaded: false, user: null };
const listeners = new Set<(s: State) => void>();

/**
 * Every way of ending up signed out (sign-out, account deletion, an expired session, a visit
 * without a session) removes the playground histories kept in this browser, so the next person
 * to use it never sees them.
 */
export function setUser(user: User | null): void {
  if (!user) {
    try { clearHistories(localStorage); } catch { /* storage disabled */ }
  }
  state = { loaded: true, user };
  for (const fn of listeners) fn(state);
}

export function currentUser(): User | null { return state.user; }

export async function loadSession(): Promise<void> {
  try {
    setUser((await getSession()).user);
  } catch (err) {
    if (!(err instanceof ApiFailure)) throw err;
    setUser(null);
  }
}

export function useSession(): State {
  const [s, set] = useState(state);
  useEffect(() => { listeners.add(set); set(state); return () => void listeners.delete(set); }, []);
  return s;
}
