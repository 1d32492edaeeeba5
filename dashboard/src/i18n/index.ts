// Strings and formatting per locale. en.ts is the source of keys; zh-TW.ts and zh-CN.ts are typed
// Record<Key, string>, so a missing translation fails the type check in the build.
import { useEffect, useState } from "preact/hooks";
import { en, type Key } from "./en";
import { zhCN } from "./zh-CN";
import { zhTW } from "./zh-TW";
import type { Locale } from "../api/types";

export type { Key };
export const LOCALES: readonly Locale[] = ["en", "zh-TW", "zh-CN"];
export const LOCALE_NAMES: Record<Locale, string> = { en: "English", "zh-TW": "繁體中文", "zh-CN": "简体中文" };
const DICTS: Record<Locale, Record<Key, string>> = { en, "zh-TW": zhTW, "zh-CN": zhCN };

function cookieLocale(): Locale | null {
  const m = /(?:^|;\s*)locale=([^;]+)/.exec(document.cookie);
  const v = m ? decodeURIComponent(m[1]!) : null;
  return v && (LOCALES as readonly string[]).includes(v) ? (v as Locale) : null;
}

/** Maps a browser language tag to ours: zh-Hant / zh-TW / zh-HK → zh-TW, other zh → zh-CN, else en. */
export function matchLocale(tags: readonly string[]): Locale {
  for (const raw of tags) {
    const tag = raw.toLowerCase();
    if (/^zh-(tw|hk|mo|hant)/.test(tag)) return "zh-TW";
    if (tag.startsWith("zh")) return "zh-CN";
    if (tag.startsWith("en")) return "en";
  }
  return "en";
}

let current: Locale = cookieLocale() ?? matchLocale(navigator.languages ?? [navigator.language]);
const listeners = new Set<(l: Locale) => void>();

export function locale(): Locale { return current; }

/** Switches the UI; the cookie is written here too so signed-out visitors keep their choice. */
export function setLocale(next: Locale): void {
  current = next;
  const secure = location.protocol === "https:" ? "; Secure" : "";
  document.cookie = `locale=${next}; Path=/; Max-Age=${365 * 86400}; SameSite=Lax${secure}`;
  document.documentElement.lang = next;
  for (const fn of listeners) fn(next);
}

/** Re-renders the calling component when the language changes. */
export function useLocale(): Locale {
  const [l, set] = useState(current);
  useEffect(() => { listeners.add(set); return () => void listeners.delete(set); }, []);
  return l;
}

/** A translated string; `{name}` placeholders are filled from vars. */
export function t(key: Key, vars?: Record<string, string | number>): string {
  const s = DICTS[current][key] ?? en[key];
  return vars ? s.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? `{${k}}`)) : s;
}

// ---- formatting -------------------------------------------------------------------------------

/** Enough decimals that a tiny cost does not round to zero (up to the 9 the API sends). */
function usdDigits(abs: number): number {
  if (abs === 0 || abs >= 1) return 2;
  return Math.min(9, Math.max(2, Math.ceil(-Math.log10(abs)) + 3));
}

export function fmtUsd(usd: string | number | null | undefined): string {
  if (usd === null || usd === undefined || usd === "") return "—";
  const n = typeof usd === "number" ? usd : Number(usd);
  const digits = usdDigits(Math.abs(n));
  return new Intl.NumberFormat(current, { style: "currency", currency: "USD", minimumFractionDigits: 2, maximumFractionDigits: digits }).format(n);
}

export function fmtNum(n: number | null | undefined, opts?: Intl.NumberFormatOptions): string {
  return n === null || n === undefined ? "—" : new Intl.NumberFormat(current, opts).format(n);
}

export function fmtDate(iso: string | number | null | undefined, withTime = true): string {
  if (iso === null || iso === undefined || iso === "") return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return new Intl.DateTimeFormat(current, withTime ? { dateStyle: "medium", timeStyle: "short" } : { dateStyle: "medium" }).format(d);
}

/** A short day label for chart axes (e.g. 11/22, 11月22日). */
export function fmtDay(iso: string): string {
  return new Intl.DateTimeFormat(current, { month: "numeric", day: "numeric", timeZone: "UTC" }).format(new Date(iso));
}

/** A USD-per-token decimal string as USD per 1M tokens. */
export function perMillion(perToken: string | null): string {
  return perToken === null ? "—" : fmtUsd(Number(perToken) * 1_000_000);
}
