/**
 * Where a sign-in may send the browser afterwards: only a path on this site. Anything else
 * (absolute URLs, scheme-relative `//host`, `/\host` which browsers read as `//host`, control
 * characters, or a path that resolves to another origin) becomes "/", so the sign-in cannot be
 * used as an open redirect.
 */
export function safeRedirect(path: string | undefined | null): string {
  if (!path || path.length > 2048 || !path.startsWith("/") || path.startsWith("//") || path.startsWith("/\\")) return "/";
  if (/[\u0000-\u001f\u007f\\]/.test(path)) return "/";
  const base = "http://same-site.invalid";
  try {
    const url = new URL(path, base);
    if (url.origin !== base) return "/";
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return "/";
  }
}
