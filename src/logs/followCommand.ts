/** The remote side of following one node's log: a POSIX sh script and its argument list. */

/** The remote files of one node of a job, as the jobs layer lays them out. */
export interface FollowTarget {
  logPath: string;
  /** Holds the PID of the job's process on this node once it has started. */
  pidPath: string;
  /** Written by the job when it ends; its presence means the log is complete. */
  exitCodePath: string;
  /** Optional start and end times the job writes (epoch seconds or ISO 8601). */
  startedPath?: string;
  endedPath?: string;
  /** Written when the user cancelled the job, before its processes were signalled. */
  cancelledPath?: string;
}

/** stderr line the script ends with, after the log is complete. */
export const endMarker = 'azure-pytorch-follow-end';

// Paths and the offset arrive as positional parameters, never pasted into the script.
// While the job runs, `tail -F --pid` streams from the byte offset and ends once the job's
// process is gone and the rest of the file is out; a finished job's file is read to its end.
// Exit 0: the log is complete. Exit 3: the job ended without leaving a log.
const script = String.raw`log=$1 start=$2 pidfile=$3 codefile=$4 startedfile=$5 endedfile=$6 cancelledfile=$7
while [ ! -s "$pidfile" ] && [ ! -e "$codefile" ]; do sleep 0.2; done
pid=$(cat "$pidfile" 2>/dev/null)
if [ ! -e "$codefile" ] && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
  tail -c +"$start" -F --pid="$pid" -- "$log" || exit $?
  n=0
  while [ ! -e "$codefile" ] && [ $n -lt 25 ]; do sleep 0.2; n=$((n+1)); done
else
  [ -e "$log" ] || exit 3
  tail -c +"$start" -- "$log" || exit $?
fi
cancelled=0
[ -n "$cancelledfile" ] && [ -e "$cancelledfile" ] && cancelled=1
printf '\n%s exit-code=%s cancelled=%s started=%s ended=%s\n' '${endMarker}' \
  "$(cat "$codefile" 2>/dev/null | tr -d '\n ')" "$cancelled" \
  "$(cat "$startedfile" 2>/dev/null | tr -d '\n ')" \
  "$(cat "$endedfile" 2>/dev/null | tr -d '\n ')" >&2
`;

/** The argv that streams the log from `offset` (bytes already received) to its end. */
export function followArgv(target: FollowTarget, offset: number): string[] {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new Error(`Invalid log offset ${offset}`);
  return [
    'sh',
    '-c',
    script,
    'azure-pytorch-follow',
    target.logPath,
    String(offset + 1),
    target.pidPath,
    target.exitCodePath,
    target.startedPath ?? '/dev/null',
    target.endedPath ?? '/dev/null',
    target.cancelledPath ?? '',
  ];
}

/** How the job ended on this node, as the script reports it. */
export interface JobOutcome {
  /** undefined when the job left no exit code (it was lost: killed with its VM, say). */
  exitCode?: number;
  /** The user cancelled the job: a non-zero exit code is the signal that stopped it. */
  cancelled?: boolean;
  startedAt?: number;
  endedAt?: number;
}

/** Reads the end marker line; undefined for any other stderr line. */
export function parseEndMarker(line: string): JobOutcome | undefined {
  if (!line.startsWith(`${endMarker} `)) return undefined;
  const fields = new Map<string, string>();
  for (const pair of line.slice(endMarker.length + 1).split(' ')) {
    const equals = pair.indexOf('=');
    if (equals > 0) fields.set(pair.slice(0, equals), pair.slice(equals + 1));
  }
  const exitCode = fields.get('exit-code');
  return {
    exitCode: exitCode && /^-?\d+$/.test(exitCode) ? Number(exitCode) : undefined,
    cancelled: fields.get('cancelled') === '1',
    startedAt: parseTime(fields.get('started')),
    endedAt: parseTime(fields.get('ended')),
  };
}

/** Epoch seconds (possibly fractional) or an ISO 8601 date, as milliseconds since the epoch. */
export function parseTime(text: string | undefined): number | undefined {
  if (!text) return undefined;
  if (/^\d+(?:\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const parsed = Date.parse(text);
  return Number.isNaN(parsed) ? undefined : parsed;
}
