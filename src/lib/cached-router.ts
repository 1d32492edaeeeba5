import type { Result, Router } from "hono/router";

/**
 * A Hono router that remembers its answers per method and path. The app's routes include
 * `/models/:id{.+}` (model ids with slashes), which RegExpRouter cannot compile, so Hono's
 * default SmartRouter falls back to TrieRouter and walks the trie of ~240 routes on every
 * request. The routes never change once the app is built, so one method and path always match
 * the same handlers and parameters: the answer is cached (read-only: Hono never writes to a
 * match result). Adding a route clears the cache; at most `limit` answers are kept (the cache
 * starts over when full, so many distinct paths cannot grow it without bound).
 */
export class CachedRouter<T> implements Router<T> {
  readonly name: string;
  private readonly cache = new Map<string, Result<T>>();

  constructor(private readonly inner: Router<T>, private readonly limit = 512) {
    this.name = `cached ${inner.name}`;
  }

  add(method: string, path: string, handler: T): void {
    this.cache.clear();
    this.inner.add(method, path, handler);
  }

  match(method: string, path: string): Result<T> {
    const key = `${method} ${path}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const result = this.inner.match(method, path);
    if (this.cache.size >= this.limit) this.cache.clear();
    this.cache.set(key, result);
    return result;
  }
}
