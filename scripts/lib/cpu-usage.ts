import { readdirSync, readFileSync } from 'node:fs';

/** Linux reports CPU time in clock ticks; USER_HZ is 100 on every architecture Debian ships. */
const TICKS_PER_SECOND = 100;

interface ProcStat {
  pid: number;
  ppid: number;
  comm: string;
  /** utime + stime, in ticks */
  own: number;
  /** cutime + cstime: the children it has reaped, in ticks */
  reaped: number;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // the command name is in parentheses and may itself hold spaces or parentheses
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');
  // fields[0] is field 3 (state): ppid is field 4, utime..cstime are fields 14..17
  return {
    pid,
    comm: text.slice(open + 1, close),
    ppid: Number(fields[1]),
    own: Number(fields[11]) + Number(fields[12]),
    reaped: Number(fields[13]) + Number(fields[14]),
  };
}

function allProcesses(): ProcStat[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((name) => readStat(Number(name)) ?? []);
}

/**
 * CPU seconds used so far by each group of processes: a group is its root
 * processes and all their live descendants, plus the children they have
 * already reaped (nginx's retired workers, an agent's finished `nginx -t`).
 * Descendants that are roots of another group count only there.
 */
export function cpuSeconds(groups: Record<string, { pids?: number[]; comm?: string; descend?: boolean }>): Record<string, number> {
  const processes = allProcesses();
  const children = new Map<number, ProcStat[]>();
  for (const proc of processes) children.set(proc.ppid, [...(children.get(proc.ppid) ?? []), proc]);
  const byPid = new Map(processes.map((proc) => [proc.pid, proc]));
  const roots = new Set(Object.values(groups).flatMap((group) => group.pids ?? []));
  const result: Record<string, number> = {};
  for (const [name, group] of Object.entries(groups)) {
    const members = new Map<number, ProcStat>();
    const visit = (proc: ProcStat | undefined, isRoot: boolean) => {
      if (!proc || members.has(proc.pid) || (!isRoot && roots.has(proc.pid))) return;
      members.set(proc.pid, proc);
      if (group.descend !== false) for (const child of children.get(proc.pid) ?? []) visit(child, false);
    };
    for (const pid of group.pids ?? []) visit(byPid.get(pid), true);
    if (group.comm) for (const proc of processes) if (proc.comm === group.comm) visit(proc, true);
    let ticks = 0;
    for (const proc of members.values()) ticks += proc.own + (group.descend === false ? 0 : proc.reaped);
    result[name] = ticks / TICKS_PER_SECOND;
  }
  return result;
}

/** What each group used between two readings. */
export function cpuSince(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([name, seconds]) => [name, seconds - (before[name] ?? 0)]));
}
