// The signed-in user, shared by the shell and the pages.
import { useEffect, useState } from "preact/hooks";
import { getSession } from "./api/auth";
import { ApiFailure } from "./api/client";
import type { User } from "./api/types";

type State = { loaded: boolean; user: User | null };
let state: State = { loaded: false, user: null };
const listeners = new Set<(s: State) => void>();

export function setUser(user: User | null): void {
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
