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
    // No "[PLUGIN_TIMINGS]" notes in `npm start` / `npm test` output: on a busy machine every build
    // would print them, and they say nothing a user of the gateway needs (issue 11, item 5).
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
});
