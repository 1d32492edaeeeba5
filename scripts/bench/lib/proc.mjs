// Process CPU and memory from /proc (Linux). CPU is utime + stime of the process itself (not its
// children); memory is VmRSS now and VmHWM (the peak RSS since the process started).
import { readFileSync, readdirSync } from "node:fs";

const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux build in practice (getconf CLK_TCK)

/** CPU seconds (user + system) used by `pid` so far. */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) may contain spaces, so split after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]); // field 14 of the full line
  const stime = Number(fields[12]); // field 15
  return (utime + stime) / TICKS_PER_SECOND;
}

/** { rssKiB, peakKiB } of `pid`. */
export function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  return { rssKiB: kib("VmRSS"), peakKiB: kib("VmHWM") };
}

/** Pids of the direct children of `ppid` whose command name is `comm`. */
export function childPids(ppid, comm) {
  const out = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (parent === ppid && name === comm) out.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}
