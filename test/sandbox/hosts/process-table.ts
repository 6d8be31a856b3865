import * as fs from 'node:fs/promises';

export interface ProcessEntry {
  pid: number;
  parentPid: number;
  /** The kernel's short name (`comm`): stays `sshd` even when sshd rewrites its command line. */
  name: string;
  /** One-letter state from /proc/<pid>/stat; `Z` is a zombie (dead, not yet reaped). */
  state: string;
}

/** Namespace identities as /proc/<pid>/ns/* links show them, e.g. `mnt:[4026532301]`. */
export interface NamespaceIds {
  mount: string;
  uts: string;
}

/** Live (non-zombie) processes; ones that exit while being read are skipped. */
export async function listProcesses(): Promise<ProcessEntry[]> {
  const entries = await Promise.all((await processIds()).map(readStat));
  return entries.filter((entry): entry is ProcessEntry => entry !== undefined && entry.state !== 'Z');
}

export function descendantsOf(processes: readonly ProcessEntry[], ancestorPid: number): ProcessEntry[] {
  const found: ProcessEntry[] = [];
  const parents = new Set([ancestorPid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const entry of processes) {
      if (parents.has(entry.parentPid) && !parents.has(entry.pid)) {
        parents.add(entry.pid);
        found.push(entry);
        grew = true;
      }
    }
  }
  return found;
}

export async function namespaceIdsOf(pid: number): Promise<NamespaceIds | undefined> {
  try {
    const [mount, uts] = await Promise.all([fs.readlink(`/proc/${pid}/ns/mnt`), fs.readlink(`/proc/${pid}/ns/uts`)]);
    return { mount, uts };
  } catch {
    return undefined; // gone, a zombie, or not ours to inspect
  }
}

/** Every live process inside both namespaces: the way to find jobs that left sshd's process tree. */
export async function pidsInNamespaces(ids: NamespaceIds): Promise<number[]> {
  const processes = await listProcesses();
  const inside = await Promise.all(
    processes.map(async ({ pid }) => {
      const own = await namespaceIdsOf(pid);
      return own?.mount === ids.mount && own.uts === ids.uts ? pid : undefined;
    }),
  );
  return inside.filter((pid): pid is number => pid !== undefined);
}

/** Live processes whose environment holds exactly `NAME=value` (readable ones only: ours, or all as root). */
export async function pidsWithEnvironmentEntry(entry: string): Promise<number[]> {
  const processes = await listProcesses();
  const matching = await Promise.all(
    processes.map(async ({ pid }) => {
      try {
        const environment = (await fs.readFile(`/proc/${pid}/environ`, 'latin1')).split('\0');
        return environment.includes(entry) ? pid : undefined;
      } catch {
        return undefined;
      }
    }),
  );
  return matching.filter((pid): pid is number => pid !== undefined);
}

async function processIds(): Promise<number[]> {
  return (await fs.readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
}

async function readStat(pid: number): Promise<ProcessEntry | undefined> {
  try {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'latin1');
    // "pid (name) state ppid …": the name may hold spaces and parentheses, so split at the last ')'.
    const nameEnd = stat.lastIndexOf(')');
    const [state = '', parentPid = '0'] = stat.slice(nameEnd + 2).split(' ');
    return { pid, parentPid: Number(parentPid), name: stat.slice(stat.indexOf('(') + 1, nameEnd), state };
  } catch {
    return undefined;
  }
}
