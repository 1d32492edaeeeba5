import { defineConfig } from "vite";

// The dashboard: a static single-page app built into dashboard/dist, which Workers assets serve
// (wrangler.toml [assets]); /api/* and /v1/* run in the worker first.
export default defineConfig({
  root: new URL(".", import.meta.url).pathname,
  base: "/",
  // public/_headers (security and cache headers for the static files) is copied into dist.
  publicDir: "public",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    manifest: true,
    chunkSizeWarningLimit: 200,
  },
});
