// Which Chromium the browser tests drive, brought by npm alone when the machine has none:
//  - CHROMIUM_PATH=/path/to/chrome   that binary;
//  - CHROMIUM_PATH=npm               the build shipped inside @sparticuz/chromium (skips the system one);
//  - otherwise /usr/bin/chromium when it exists, else the npm build.
// The npm build is a brotli-compressed headless shell for Linux x64; it is unpacked once into
// node_modules/.cache/chromium-<version>/ with a fontconfig file that lists Open Sans (shipped with it),
// Noto Sans TC (@expo-google-fonts/noto-sans-tc, for the zh-TW pages) and the system's fonts.
import { execFileSync } from "node:child_process";
import { accessSync, constants, createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { createBrotliDecompress } from "node:zlib";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SYSTEM = "/usr/bin/chromium";
/** Flags for a headless browser on a machine whose only network is loopback (no background fetches). */
export const CHROMIUM_ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Unpacks a brotli file to `out` (inside unpackChromium's staging folder). */
async function unbrotli(from, out, mode = 0o644) {
  await pipeline(createReadStream(from), createBrotliDecompress(), createWriteStream(out, { mode }));
}

/**
 * Unpacks the browser and its fonts into a folder of this process's own, then renames it into
 * place: browser test files run two at a time, and the first to finish wins (the other's copy is
 * dropped). A killed run leaves only its own staging folder behind.
 */
async function unpackChromium(pkgDir, dir) {
  const stage = `${dir}.${process.pid}.partial`;
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(join(stage, "fonts"), { recursive: true });
  await unbrotli(join(pkgDir, "bin/chromium.br"), join(stage, "chromium"), 0o755);
  await unbrotli(join(pkgDir, "bin/fonts.tar.br"), join(stage, "fonts.tar"));
  execFileSync("tar", ["-xf", join(stage, "fonts.tar"), "-C", join(stage, "fonts")]);
  rmSync(join(stage, "fonts.tar"));
  const cjk = dirname(fileURLToPath(import.meta.resolve("@expo-google-fonts/noto-sans-tc/400Regular/NotoSansTC_400Regular.ttf")));
  const dirs = [join(dir, "fonts/fonts"), cjk, join(dirname(cjk), "700Bold"), "/usr/share/fonts", "/usr/local/share/fonts"];
  const conf = `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n${dirs.map((d) => `  <dir>${d}</dir>`).join("\n")}\n  <cachedir>${join(dir, "fontcache")}</cachedir>\n</fontconfig>\n`;
  writeFileSync(join(stage, "fonts.conf"), conf);
  // A folder without fonts.conf is an unfinished copy of an older run.
  if (existsSync(dir) && !existsSync(join(dir, "fonts.conf"))) rmSync(dir, { recursive: true, force: true });
  try {
    renameSync(stage, dir);
  } catch (err) {
    if (!existsSync(join(dir, "fonts.conf"))) throw err;
  }
  rmSync(stage, { recursive: true, force: true });
}

/** The npm-shipped build, unpacked on first use; returns its path and the environment it needs. */
async function npmChromium() {
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new Error(`no system Chromium and the npm-shipped build is for linux x64 only (this is ${process.platform} ${process.arch}); set CHROMIUM_PATH`);
  }
  const pkgDir = join(ROOT, "node_modules/@sparticuz/chromium");
  const { version } = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
  const dir = join(ROOT, "node_modules/.cache", `chromium-${version}`);
  const bin = join(dir, "chromium");
  const fontsConf = join(dir, "fonts.conf");
  if (!existsSync(fontsConf)) await unpackChromium(pkgDir, dir);
  return { executablePath: bin, env: { FONTCONFIG_FILE: fontsConf } };
}

/** The browser to launch: `{ executablePath, env }` for playwright-core's `chromium.launch`. */
export async function resolveChromium() {
  const chosen = process.env.CHROMIUM_PATH;
  if (chosen && chosen !== "npm") {
    if (!executable(chosen)) throw new Error(`CHROMIUM_PATH=${chosen} is not an executable file`);
    return { executablePath: chosen, env: {} };
  }
  if (chosen !== "npm" && executable(SYSTEM)) return { executablePath: SYSTEM, env: {} };
  return npmChromium();
}
