// Native CPU profile of a process with Linux perf (when it is installed): `perf record -g` for a
// while, then every sampled call stack is put in one "kind of work" (by its leafmost telling frame).
// workerd ships with its symbols, so its C++ (SQLite, KJ HTTP, Cap'n Proto RPC, V8) is named.
import { spawn, spawnSync } from "node:child_process";

export function perfAvailable() {
  try {
    return spawnSync("perf", ["--version"], { encoding: "utf8" }).status === 0;
  } catch {
    return false;
  }
}

/** Starts `perf record` on `pid` for `seconds`; resolves when perf has written `file`. */
export function perfRecord(pid, seconds, file, hz = 499) {
  const child = spawn("perf", ["record", "-F", String(hz), "-g", "-p", String(pid), "-o", file, "--", "sleep", String(seconds)], { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr.on("data", (d) => { err += d; });
  return new Promise((resolve, reject) => {
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`perf record exited ${code}: ${err.slice(-500)}`))));
  });
}

// Frames that say nothing about what the work was for: skipped when looking for the leafmost
// meaningful frame (so malloc under SQLite counts as SQLite).
const TRANSPARENT = /tcmalloc|TCMalloc|^malloc|^free|^operator new|^operator delete|memmove|memcpy|memset|memcmp|strlen|pthread_mutex|__GI_|_raw_spin|^kj::ArrayDisposer|^kj::_::HeapArrayDisposer|AtomicRefcounted|^kj::Refcounted/;

const KINDS = [
  ["storage system calls (fsync, pwrite, fcntl locks)", /^fsync|^fdatasync|pwrite|^__fcntl|^fcntl/],
  ["SQLite (Durable Object storage, Miniflare's D1)", /sqlite3|SqliteDatabase|SqlStorage|^walChecksum|^btree|^pcache|^vdbe|^yy_reduce|getCellInfo/],
  ["V8 garbage collection", /Scavenger|MarkCompact|MinorMark|Heap::|cppgc|Marking|Sweeper|GCTracer|HeapTracer/],
  ["JSON parse / stringify", /Json(Stringifier|Parser)|JsonParse|JsonStringify/],
  ["crypto (SHA-256, BoringSSL)", /SHA256|sha256|EVP_|bssl|crypto::/],
  ["HTTP and sockets (KJ HTTP, fetch, headers, streams)", /kj::.*Http|Http(Service|Client|Server)|HttpHeaders|api::Headers|api::Request|api::Response|api::fetch|fetchImpl|kj::.*AsyncIo|AsyncStream|ReadableStream|WritableStream|StreamSink|kj::.*Socket|Tls/],
  ["RPC and Durable Object plumbing (Cap'n Proto, I/O gates, actor)", /capnp|JsRpc|::rpc::|ActorCache|InputGate|OutputGate|Worker::Actor|ActorSqlite|DurableObject/],
  ["JavaScript execution (V8 JIT, interpreter, builtins, bindings)", /^Builtins_|\[unknown\]|v8::internal::(Runtime|Interpreter|Compiler|Turbofan|Maglev|Baseline|Object|JSObject|Factory|LookupIterator|Map|String)|^v8::|jsg::/],
];

// Share of samples inside a Durable Object RPC method (admit, settle, ...) as they run: the
// frames of a JS RPC call on the callee side. Work resumed after an await loses this frame, so
// this is a lower bound.
const DO_RPC = /JsRpcTargetBase::callImpl|JsRpcTargetBase::invokeFn/;

function kernelFrame(line) {
  return /\[kernel\.kallsyms\]|\(\[kernel/.test(line);
}

/** Summarises `file`: share of samples by kind of work, inside DO RPC methods, and top leaf symbols. */
export function perfSummarize(file) {
  const r = spawnSync("perf", ["script", "-i", file, "-F", "comm,tid,ip,sym,dso"], { encoding: "utf8", maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`perf script failed: ${r.stderr.slice(-500)}`);
  const kinds = new Map();
  let inRpc = 0;
  const leaves = new Map();
  let total = 0;
  let kernel = 0;
  const add = (m, k) => m.set(k, (m.get(k) ?? 0) + 1);
  const flush = (frames) => {
    if (frames.length === 0) return;
    total += 1;
    if (kernelFrame(frames[0].raw)) kernel += 1;
    let kind = null;
    for (const f of frames) {
      if (kernelFrame(f.raw) || TRANSPARENT.test(f.sym)) continue;
      const k = KINDS.find(([, re]) => re.test(f.sym));
      if (k) { kind = k[0]; break; }
    }
    add(kinds, kind ?? "other runtime (KJ event loop, workerd glue)");
    if (frames.some((f) => DO_RPC.test(f.sym))) inRpc += 1;
    const leaf = frames.find((f) => !kernelFrame(f.raw)) ?? frames[0];
    add(leaves, leaf.sym.length > 120 ? `${leaf.sym.slice(0, 117)}...` : leaf.sym);
  };
  let frames = [];
  for (const line of r.stdout.split("\n")) {
    if (line.trim() === "") { flush(frames); frames = []; continue; }
    if (!/^\s/.test(line)) { flush(frames); frames = []; continue; } // a sample's header line
    const m = /^\s*[0-9a-f]+\s+(.*?)(?:\+0x[0-9a-f]+)?\s+\((.*)\)\s*$/.exec(line);
    if (m) frames.push({ sym: m[1], raw: line });
  }
  flush(frames);
  const share = (m) => [...m.entries()].sort((a, b) => b[1] - a[1]).map(([name, n]) => ({ name, share: n / total }));
  return { samples: total, kernelLeafShare: total ? kernel / total : 0, byKind: share(kinds), insideDurableObjectRpcShare: total ? inRpc / total : 0, topLeaves: share(leaves).slice(0, 20) };
}
