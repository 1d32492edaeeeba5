// Small shared pieces: async data hook, error box, money, copy button, pager.
import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { ApiFailure } from "../api/client";
import { fmtUsd, t, type Key } from "../i18n";
import { en } from "../i18n/en";

/** Loads data on mount (and when deps change); `reload` runs it again. */
export function useAsync<T>(fn: () => Promise<T>, deps: unknown[] = []) {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const run = useCallback(() => {
    setState((s) => ({ ...s, loading: true }));
    fn().then((data) => setState({ data, loading: false }), (error: unknown) => setState({ error, loading: false }));
  }, deps);
  useEffect(run, [run]);
  return { ...state, reload: run };
}

/** Plain-language text for an error: our own string for codes we know, else the API's message. */
export function errorText(err: unknown): string {
  if (err instanceof ApiFailure) {
    const key = `err_${err.code}`;
    if (key in en) return t(key as Key, { seconds: err.retryAfter ?? 60 });
    if (err.status === 404) return t("err_not_available");
    if (err.status >= 500) return t("err_server");
    return err.message || t("err_unknown");
  }
  if (err instanceof TypeError) return t("err_network");
  return t("err_unknown");
}

export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  return <div class="alert alert-error" role="alert">{errorText(error)}</div>;
}

export function Loading() {
  return <p class="muted" role="status">{t("loading")}</p>;
}

/** A USD amount; data-usd keeps the exact decimal string the API sent. */
export function Money({ usd }: { usd: string | null | undefined }) {
  return <span class="num" data-usd={usd ?? ""}>{fmtUsd(usd)}</span>;
}

export function CopyButton({ text, label }: { text: string; label?: string }) {
  const [done, setDone] = useState(false);
  return (
    <button type="button" class="btn btn-small" onClick={() => {
      void navigator.clipboard?.writeText(text).then(() => { setDone(true); setTimeout(() => setDone(false), 2000); });
    }}>
      {done ? t("copied") : (label ?? t("copy"))}
    </button>
  );
}

export function Pager({ hasPrev, next, onPrev, onNext }: { hasPrev: boolean; next: string | null | undefined; onPrev: () => void; onNext: () => void }) {
  return (
    <nav class="pager" aria-label={t("pagination")}>
      <button type="button" class="btn" disabled={!hasPrev} onClick={onPrev}>{t("prev_page")}</button>
      <button type="button" class="btn" disabled={!next} onClick={onNext}>{t("next_page")}</button>
    </nav>
  );
}

export function Card({ title, children, id }: { title?: string; children: ComponentChildren; id?: string }) {
  return (
    <section class="card" aria-labelledby={title ? `${id ?? title}-h` : undefined}>
      {title && <h2 id={`${id ?? title}-h`}>{title}</h2>}
      {children}
    </section>
  );
}

/** Cursor pagination state: a stack of the cursors of the pages before the current one. */
export function useCursor() {
  const [stack, setStack] = useState<(string | undefined)[]>([]);
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  return {
    cursor,
    hasPrev: stack.length > 0,
    next: (c: string) => { setStack([...stack, cursor]); setCursor(c); },
    prev: () => { setCursor(stack.at(-1)); setStack(stack.slice(0, -1)); },
    reset: () => { setStack([]); setCursor(undefined); },
  };
}
