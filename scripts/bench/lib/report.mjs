// The markdown report of one run, and its place in docs/benchmarks.md (between two markers, so
// the hand-written parts of that file stay as they are).
import { existsSync, readFileSync, writeFileSync } from "node:fs";

const START = "<!-- bench:results:start (written by npm run bench; do not edit by hand) -->";
const END = "<!-- bench:results:end -->";

const f = (x, d = 2) => (x === null || x === undefined || !Number.isFinite(x) ? "n/a" : x.toFixed(d));
const signed = (x, d = 2) => (x === null || x === undefined || !Number.isFinite(x) ? "n/a" : `${x >= 0 ? "+" : ""}${x.toFixed(d)}`);
const pct = (x) => (Number.isFinite(x) ? `${(x * 100).toFixed(0)}%` : "n/a");
const times = (x) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : "n/a");

export function renderMarkdown(r) {
  const names = Object.keys(r.systems);
  const S = r.systems;
  const cs = r.plan.concurrencies;
  const lines = [];
  lines.push(`### ${r.kind === "smoke" ? "Smoke run" : "Full run"} of ${r.date.slice(0, 16).replace("T", " ")} UTC`);
  lines.push("");
  lines.push(`Machine: ${r.machine.nproc} cores (\`nproc\`), ${r.machine.memoryGiB} GiB, ${r.machine.cpuModel}, ${r.machine.kernel}; load average at start ${r.machine.loadAverageAtStart.join(" / ")}. ` +
    `Versions: Node ${r.versions.node}, workerd ${r.versions.workerd}, wrangler ${r.versions.wrangler}, miniflare ${r.versions.miniflare}, ` +
    `@portkey-ai/gateway ${r.versions.portkey ?? "n/a"} (hono ${r.versions.portkeyHono ?? "n/a"}, @hono/node-server ${r.versions.portkeyHonoNodeServer ?? "n/a"}). ` +
    `Gateway at commit ${r.gateway?.commit ?? "n/a"}${r.gateway?.srcChanged ? " with uncommitted changes in src/" : ""}. ` +
    `Run took ${r.durationSec} s (${r.measuredSec} s measuring), seed ${r.seed}.`);
  lines.push("");
  lines.push(`**Concurrency 1** (${r.plan.latencyRounds} interleaved rounds × ${r.plan.latencyPerRound} non-streamed requests per system; ${r.plan.streamRounds} streams per system). ` +
    "Added = the system's figure minus direct's. Gap = time between two chunks at the client (the stand-in sends one every 20 ms). Forward = client receive time − stand-in send time of the same chunk. All in ms.");
  lines.push("");
  lines.push("| system | latency p50 | p99 | added p50 | added p99 | TTFT p50 | added TTFT | gap p50 | gap p99 | added gap p99 | forward p50 | forward p99 | chunk forwarded before next produced |");
  lines.push("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const n of names) {
    const s = S[n];
    const zb = s.stream.zeroBuffering;
    lines.push(`| ${s.label} | ${f(s.latency.p50)} | ${f(s.latency.p99)} | ${n === "direct" ? "—" : signed(s.added.latencyP50)} | ${n === "direct" ? "—" : signed(s.added.latencyP99)} | ` +
      `${f(s.stream.ttft.p50)} | ${n === "direct" ? "—" : signed(s.added.ttftP50)} | ${f(s.stream.gap.p50)} | ${f(s.stream.gap.p99)} | ${n === "direct" ? "—" : signed(s.added.gapP99)} | ` +
      `${f(s.stream.forwardDelay.p50)} | ${f(s.stream.forwardDelay.p99)} | ${zb.forwardedBeforeNext}/${zb.checked} |`);
  }
  lines.push("");
  lines.push(`**Throughput and resources** (closed loop, non-streamed, ${r.plan.throughputRounds} interleaved rounds × ${r.plan.throughputMs / 1000} s per system and concurrency). ` +
    "CPU = user + system time of the system's own process (/proc/<pid>/stat) over its windows ÷ requests; for direct it is the stand-in's own CPU. " +
    "Peak RSS = VmHWM of that process at the end of the run.");
  lines.push("");
  lines.push(`| system | ${cs.map((c) => `req/s c=${c} | vs bare`).join(" | ")} | ${cs.map((c) => `CPU ms/req c=${c}`).join(" | ")} | RSS idle MiB | peak RSS MiB |`);
  lines.push(`| --- | ${cs.map(() => "---: | ---:").join(" | ")} | ${cs.map(() => "---:").join(" | ")} | ---: | ---: |`);
  for (const n of names) {
    const s = S[n];
    lines.push(`| ${s.label} | ${cs.map((c) => `${f(s.throughput[`c${c}`].rps, 0)} | ${pct(s.throughput[`c${c}`].rps / S.bare.throughput[`c${c}`].rps)}`).join(" | ")} | ` +
      `${cs.map((c) => f(s.throughput[`c${c}`].cpuMsPerRequest, 3)).join(" | ")} | ${f(s.memory.idleRssMiB, 1)} | ${f(s.memory.peakRssMiB, 1)} |`);
  }
  if (S.split) {
    lines.push("");
    lines.push("**The gateway split as production bills it** (system \"split\": the worker serving HTTP, the wallets' Durable Objects and Miniflare's D1 simulator, each in its own workerd process, bound across processes through Miniflare's dev registry). CPU ms per request of each process over the same windows:");
    lines.push("");
    lines.push(`| process | ${cs.map((c) => `c=${c}`).join(" | ")} |`);
    lines.push(`| --- | ${cs.map(() => "---:").join(" | ")} |`);
    for (const [k, label] of [["worker", "gateway worker (HTTP, routing, keys, zod, relay, the RPC client side)"], ["objects", "Durable Objects (AccountDO: admit, settle, outbox alarm)"], ["d1", "D1 simulator (outbox batches, catalog and key reads)"], ["all", "all three"]]) {
      lines.push(`| ${label} | ${cs.map((c) => f(S.split.throughput[`c${c}`].cpuMsPerRequestByProcess?.[k], 3)).join(" | ")} |`);
    }
  }
  lines.push("");
  lines.push(`Load generator CPU during the throughput windows (cores): ${names.map((n) => `${n} ${cs.map((c) => `c=${c} ${f(S[n].throughput[`c${c}`].clientCpuShare)}`).join(", ")}`).join("; ")}.`);
  lines.push("");
  lines.push(`Streams under load (${r.plan.loadStreams} at once, ${r.plan.loadStreamRounds} round(s)): ` + names.map((n) => {
    const u = S[n].streamUnderLoad;
    return `${n}: TTFT p50 ${f(u.ttft.p50)} ms, forward p99 ${f(u.forwardDelay.p99)} ms, forwarded before next ${u.zeroBuffering.forwardedBeforeNext}/${u.zeroBuffering.checked}`;
  }).join("; ") + ".");
  lines.push("");
  const wf = r.windowFill;
  if (wf) {
    lines.push(`Rate window filling (one fresh key, c=16, ${wf.seconds} s, gateway only): first seconds ${f(wf.start.rps, 0)} req/s at ${f(wf.start.cpuMsPerRequest, 3)} ms CPU/request; ` +
      `last seconds ${f(wf.end.rps, 0)} req/s at ${f(wf.end.cpuMsPerRequest, 3)} ms CPU/request, with ${wf.eventsInWindowAtEnd} requests in the key's window (${times(wf.cpuEndOverStart)}).` +
      (wf.trend ? ` Least-squares line over every second: ${f(wf.trend.msPer1000Requests, 3)} ms per 1,000 requests in the window, last second ${times(wf.trend.fittedEndOverStart)} the first.` : ""));
    const wb = r.windowFillBefore;
    if (wb) {
      lines.push("");
      lines.push(`The same for the gateway before this change: first seconds ${f(wb.start.rps, 0)} req/s at ${f(wb.start.cpuMsPerRequest, 3)} ms CPU/request; ` +
        `last seconds ${f(wb.end.rps, 0)} req/s at ${f(wb.end.cpuMsPerRequest, 3)} ms CPU/request, with ${wb.eventsInWindowAtEnd} requests in the key's window (${times(wb.cpuEndOverStart)}).`);
    }
    lines.push("");
  }
  lines.push("**Ratios**");
  lines.push("");
  const ga = r.ratios.gatewayOverBareAdded;
  lines.push(`- (c−a)/(b−a), gateway's added over bare's added: latency p50 ${times(ga.latencyP50)}, p99 ${times(ga.latencyP99)}, TTFT p50 ${times(ga.ttftP50)}`);
  lines.push(`- throughput gateway / bare: ${cs.map((c) => `c=${c} ${pct(r.ratios.throughputGatewayOverBare[`c${c}`])}`).join(", ")}; CPU per request gateway / bare: ${cs.map((c) => `c=${c} ${times(r.ratios.cpuGatewayOverBare[`c${c}`])}`).join(", ")}`);
  if (r.ratios.gatewayVsBefore) {
    const p = r.ratios.gatewayVsBefore;
    lines.push(`- gateway / gateway before this change: added latency p50 ${times(p.addedLatencyP50)}, ${cs.map((c) => `throughput c=${c} ${times(p[`throughputC${c}`])}`).join(", ")}, ${cs.map((c) => `CPU/request c=${c} ${times(p[`cpuPerRequestC${c}`])}`).join(", ")}`);
  }
  if (r.ratios.gatewayVsPortkey) {
    const p = r.ratios.gatewayVsPortkey;
    lines.push(`- gateway / Portkey: added latency p50 ${times(p.addedLatencyP50)}, p99 ${times(p.addedLatencyP99)}, added TTFT ${times(p.addedTtftP50)}, ` +
      `${cs.map((c) => `throughput c=${c} ${times(p[`throughputC${c}`])}`).join(", ")}, ${cs.map((c) => `CPU/request c=${c} ${times(p[`cpuPerRequestC${c}`])}`).join(", ")}, peak RSS ${times(p.peakRss)}`);
  } else {
    lines.push(`- gateway / Portkey: not measured (${r.portkeyError})`);
  }
  lines.push("");
  lines.push("**Targets**");
  lines.push("");
  lines.push("| target | measured | result |");
  lines.push("| --- | --- | --- |");
  for (const t of r.targets) lines.push(`| ${t.target} | ${t.measured} | ${t.pass === null ? "not measured" : t.pass ? "pass" : "**miss**"} |`);
  lines.push("");
  const bk = r.gatewayBookkeeping;
  lines.push(`Gateway bookkeeping after the run: ${bk.gatewayRequestsOk} successful gateway requests, ${bk.usageRecords ?? bk.usageRecordsInD1} usage records (in the wallet; ${bk.usageRecordsInD1} copied to D1) and ${bk.ledgerRowsInD1} ledger rows in D1 (through the outbox), ` +
    `${bk.inFlightReservations} reservations open, total usage ${bk.totalUsageUsd} USD — ${bk.ok ? "every request was settled and recorded" : "**MISMATCH**"}.`);
  const sb = r.splitBookkeeping;
  if (sb) {
    lines.push("");
    lines.push(`Split gateway bookkeeping: ${sb.gatewayRequestsOk} successful requests, ${sb.usageRecords ?? sb.usageRecordsInD1} usage records (in the wallet) and ${sb.ledgerRowsInD1} ledger rows in D1, ` +
      `${sb.inFlightReservations} reservations open — ${sb.ok ? "every request was settled and recorded" : "**MISMATCH**"}.`);
  }
  return lines.join("\n");
}

/** Replaces the generated block of docs/benchmarks.md (creating a minimal file if needed). */
export function writeDocs(path, md, jsonText) {
  const block = `${START}\n\n${md}\n\n<details><summary>The JSON of this run (also in scripts/bench/results/full.json)</summary>\n\n\`\`\`json\n${jsonText}\n\`\`\`\n\n</details>\n\n${END}`;
  let doc = existsSync(path) ? readFileSync(path, "utf8") : `# Benchmarks\n\n## Results\n\n${START}\n${END}\n`;
  const a = doc.indexOf(START);
  const b = doc.indexOf(END);
  if (a === -1 || b === -1 || b < a) doc = `${doc.trimEnd()}\n\n## Results\n\n${START}\n${END}\n`;
  const a2 = doc.indexOf(START);
  const b2 = doc.indexOf(END);
  writeFileSync(path, doc.slice(0, a2) + block + doc.slice(b2 + END.length));
}
