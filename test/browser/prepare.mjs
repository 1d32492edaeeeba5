// Run by `npm run test:e2e` before the browser test files, which run two at a time: what every file's
// stack needs is made once here instead of by two files at once (test/browser/harness.mjs): the npm
// Chromium unpacked (when it is the one used) and the migrated D1 state each stack copies.
import { migratedState } from "./harness.mjs";
import { resolveChromium } from "./chromium.mjs";

const started = Date.now();
await Promise.all([resolveChromium(), migratedState()]);
console.log(`# browser tests prepared in ${((Date.now() - started) / 1000).toFixed(1)} s (Chromium, migrated D1 state)`);
