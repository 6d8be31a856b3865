import type { JobSpec } from './jobSpec';
import { jobDir, jobFiles, workspaceDir } from './remoteLayout';

/**
 * The remote commands of a job's life, as argument lists for the SSH layer to quote: fixed
 * scripts, with every value passed as an argument (`sh -c SCRIPT sh ARG…`), never pasted in.
 */

/** A command with what goes to its stdin. */
export interface CommandWithInput {
  readonly argv: string[];
  readonly stdin: Buffer;
}

/**
 * Writes the job's files, takes the job's snapshot of the synced workspace and starts the node's
 * run script detached, in one round trip. spec.json and run.sh come over stdin, one after the
 * other, split by spec.json's byte length: on the command line, a job with long arguments on many
 * nodes exceeds the kernel's limit on one argument (128 KiB, E2BIG). The snapshot is hard links
 * (`cp -al`: no data copied; the sync replaces a file rather than writing into it, so the job's
 * copy keeps its content), or a copy where links cannot be made; the outputs folder is left out,
 * so each job starts without the last one's outputs. Nodes sharing a home (NFS) take it once: the
 * first complete one is renamed into place. The `cd …;` stands alone: `cd X && setsid … &` would
 * background the whole list in a subshell that holds the SSH channel open, and `$!` would be that
 * subshell's PID. Prints `pid=N`.
 */
export function launchNodeCommand(
  spec: Pick<JobSpec, 'id' | 'workspaceId' | 'outputs'>,
  nodeRank: number,
  specJson: string,
  runScript: string,
): CommandWithInput {
  const specBytes = Buffer.byteLength(specJson);
  const script = [
    'umask 077',
    'ws=$2 outputs=$3 rank=$4 spec_bytes=$5',
    'synced=$(cd -- "$ws" 2> /dev/null && pwd) || { echo "The synced workspace ~/$ws is missing: launch again to sync it." >&2; exit 1; }',
    'mkdir -p -- "$1" || exit 1',
    'cd -- "$1" || exit 1',
    'input="launch-$rank.input"',
    'cat > "$input" || exit 1',
    `head -c "$spec_bytes" "$input" > ${jobFiles.spec} && tail -c +"$((spec_bytes + 1))" "$input" > ${jobFiles.runScript} || exit 1`,
    'rm -f -- "$input"',
    `[ "$(wc -c < ${jobFiles.spec})" -eq "$spec_bytes" ] || { echo "The job's files arrived incomplete." >&2; exit 1; }`,
    `chmod 700 ${jobFiles.runScript} || exit 1`,
    `if [ ! -d ${jobFiles.workspace} ]; then`,
    '  tmp="workspace-$rank.tmp"',
    '  rm -rf -- "$tmp"',
    '  cp -al -- "$synced" "$tmp" 2> /dev/null || { rm -rf -- "$tmp"; cp -a -- "$synced" "$tmp"; } ||',
    '    { rm -rf -- "$tmp"; echo "Copying the synced workspace into the job folder failed: is the disk full?" >&2; exit 1; }',
    '  [ -z "$outputs" ] || rm -rf -- "$tmp/$outputs"',
    `  touch ${jobFiles.snapshotTaken} || exit 1`,
    `  mv -T -- "$tmp" ${jobFiles.workspace} 2> /dev/null || rm -rf -- "$tmp"`,
    'fi',
    // Appending (O_APPEND): a line the cost guard's watchdog adds on a spot eviction is not overwritten by the job's next write.
    `setsid nohup ./${jobFiles.runScript} "$rank" >> "node-$rank.log" 2>&1 < /dev/null &`,
    // Written aside and renamed (as run.sh does too): a probe never reads a half-written PID.
    'echo $! > "node-$rank.pid.launch" && mv -f "node-$rank.pid.launch" "node-$rank.pid"',
    'echo "pid=$!"',
  ].join('\n');
  return {
    argv: [
      'sh',
      '-c',
      script,
      'sh',
      jobDir(spec.id),
      workspaceDir(spec.workspaceId),
      removableOutputs(spec.outputs),
      String(nodeRank),
      String(specBytes),
    ],
    stdin: Buffer.concat([Buffer.from(specJson), Buffer.from(runScript)]),
  };
}

/** The outputs folder, when it is one the snapshot may leave out: a plain relative path, not the workspace itself. */
function removableOutputs(outputs: string): string {
  const segments = outputs.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (outputs.startsWith('/') || segments.length === 0 || segments.includes('..')) return '';
  return segments.join('/');
}

/** Prints what the node's job folder holds as `key=value` lines (see parseNodeProbe). */
export function probeNodeCommand(jobId: string, nodeRank: number): string[] {
  const script = [
    'cd "$1" 2> /dev/null || { echo missing=1; exit 0; }',
    'r=$2',
    'for f in pid started running ended exit-code; do',
    '  [ -f "node-$r.$f" ] && printf "%s=%s\\n" "$f" "$(cat "node-$r.$f")"',
    'done',
    `[ -f ${jobFiles.cancelled} ] && echo cancelled=1`,
    // The PID must still be a run.sh: after a reboot the number may belong to anything.
    'pid=$(cat "node-$r.pid" 2> /dev/null) && kill -0 "$pid" 2> /dev/null && ' +
      'grep -qa run.sh "/proc/$pid/cmdline" 2> /dev/null && echo alive=1',
    'exit 0',
  ].join('\n');
  return ['sh', '-c', script, 'sh', jobDir(jobId), String(nodeRank)];
}

/**
 * Cancels the node's part of the job: marks the job cancelled, sends SIGTERM to every process of
 * the run script's session (torchrun and all its workers), SIGKILL to whatever is left after a
 * grace period, then counts what survived. Prints `left=N`. Uses the job's interpreter because
 * a VM that ran the job has it, while `ps`/`pkill` may be missing from slim images.
 */
export function cancelNodeCommand(python: string, jobId: string, nodeRank: number, graceSeconds = 10): string[] {
  const script = `
import os, signal, sys, time
job_dir, rank, grace = sys.argv[1], sys.argv[2], float(sys.argv[3])
try:
    os.chdir(job_dir)
except OSError:
    print("left=0"); sys.exit(0)
open("${jobFiles.cancelled}", "a").close()
try:
    sid = int(open(f"node-{rank}.pid").read().strip())
except (OSError, ValueError):
    print("left=0"); sys.exit(0)

def members():
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[3]) == sid:
            found.append(int(entry))
    return found

for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
    pids = members()
    if not pids:
        break
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass
    deadline = time.time() + wait
    while time.time() < deadline and members():
        time.sleep(0.1)
print(f"left={len(members())}")
`;
  return [python, '-c', script, jobDir(jobId), String(nodeRank), String(graceSeconds)];
}

/** Reads `left=N` from the cancel command's output. */
export function parseCancelOutput(output: string): number {
  const match = /^left=(\d+)$/m.exec(output);
  if (!match) throw new Error(`The cancel command printed no result: ${output.trim() || '(nothing)'}`);
  return Number(match[1]);
}

/** Removes the job folder, after a launch failed before the job could run. */
export function removeJobDirCommand(jobId: string): string[] {
  return ['rm', '-rf', '--', jobDir(jobId)];
}

/**
 * Returns when the node's part of the job changes: its run script ends, or torchrun starts while
 * `wasRunning` is false; or after `timeoutSeconds`, so the caller re-probes now and then anyway.
 */
export function waitNodeCommand(jobId: string, nodeRank: number, wasRunning: boolean, timeoutSeconds = 30): string[] {
  const script = [
    'cd "$1" 2> /dev/null || exit 0',
    'r=$2 was_running=$3 ticks=$(($4 * 5))',
    'pid=$(cat "node-$r.pid" 2> /dev/null) || exit 0',
    'i=0',
    'while [ $i -lt $ticks ]; do',
    '  [ -e "node-$r.exit-code" ] && exit 0',
    '  kill -0 "$pid" 2> /dev/null || exit 0',
    '  [ "$was_running" = 0 ] && [ -e "node-$r.running" ] && exit 0',
    '  sleep 0.2',
    '  i=$((i + 1))',
    'done',
  ].join('\n');
  return [
    'sh',
    '-c',
    script,
    'sh',
    jobDir(jobId),
    String(nodeRank),
    wasRunning ? '1' : '0',
    String(Math.max(1, Math.round(timeoutSeconds))),
  ];
}
