import { readFileSync, readdirSync } from 'node:fs';

// CPU time per process from /proc (Linux), so a run can say where each action's CPU goes: on a
// shared 2-core machine the services, the broker, PostgreSQL and the load generator compete for
// the same cores, and throughput is bounded by the sum.

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const ticksPerSecond = 100;

/** A named group of processes to account: given pids, or every process whose command is `comm`. */
export type CpuGroup = { name: string; pids: () => number[] } | { name: string; comm: string };

function cpuMsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) * 1000) / ticksPerSecond;
  } catch {
    return undefined; // the process has gone
  }
}

function pidsByComm(comm: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === comm) pids.push(Number(entry));
    } catch {
      // gone between readdir and read
    }
  }
  return pids;
}

/** The processes whose parent is `parent` (e.g. the server this process started). */
export function childPids(parent: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent) pids.push(Number(entry));
    } catch {
      // gone between readdir and read
    }
  }
  return pids;
}

/** Total busy and idle time of the machine, from /proc/stat. */
function machineMs(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy: (busy * 1000) / ticksPerSecond, total: ((busy + idle + iowait) * 1000) / ticksPerSecond };
}

export interface CpuSample {
  readonly byGroup: Map<string, Map<number, number>>;
  readonly machine: { busy: number; total: number };
}

export function sampleCpu(groups: CpuGroup[]): CpuSample {
  const byGroup = new Map<string, Map<number, number>>();
  for (const group of groups) {
    const pids = 'comm' in group ? pidsByComm(group.comm) : group.pids();
    const times = new Map<number, number>();
    for (const pid of pids) {
      const ms = cpuMsOf(pid);
      if (ms !== undefined) times.set(pid, ms);
    }
    byGroup.set(group.name, times);
  }
  return { byGroup, machine: machineMs() };
}

export interface CpuUsage {
  /** CPU milliseconds each group used between the samples (processes present in both). */
  groups: { name: string; cpuMs: number }[];
  /** Busy share of all cores over the window (0..1). */
  machineBusy: number;
  machineBusyMs: number;
}

export function cpuBetween(before: CpuSample, after: CpuSample): CpuUsage {
  const groups = [...after.byGroup].map(([name, times]) => {
    const earlier = before.byGroup.get(name) ?? new Map<number, number>();
    let cpuMs = 0;
    for (const [pid, ms] of times) cpuMs += ms - (earlier.get(pid) ?? ms);
    return { name, cpuMs };
  });
  const busy = after.machine.busy - before.machine.busy;
  const total = after.machine.total - before.machine.total;
  return { groups, machineBusy: total > 0 ? busy / total : 0, machineBusyMs: busy };
}
