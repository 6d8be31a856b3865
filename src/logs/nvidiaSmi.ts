/** GPU telemetry from `nvidia-smi --query-gpu=… --format=csv,noheader,nounits`. */

export interface GpuReading {
  index: number;
  name: string;
  /** Percent, 0–100; undefined when nvidia-smi says `[N/A]` or similar. */
  utilization?: number;
  memoryUsedMiB?: number;
  memoryTotalMiB?: number;
}

export const nvidiaSmiArgv = [
  'nvidia-smi',
  '--query-gpu=index,name,utilization.gpu,memory.used,memory.total',
  '--format=csv,noheader,nounits',
];

export type NvidiaSmiResult = { kind: 'ok'; gpus: GpuReading[] } | { kind: 'unavailable'; reason: string };

/** One reading of a node's GPUs, timed (milliseconds since the epoch). */
export type GpuTelemetry = NvidiaSmiResult & { time: number };

/** Reads nvidia-smi's output and exit status; anything unexpected becomes a reason, not an error. */
export function parseNvidiaSmi(stdout: string, stderr: string, exitCode: number | null): NvidiaSmiResult {
  const message = (stderr.trim() || stdout.trim()).split('\n')[0] ?? '';
  if (exitCode === 127) return { kind: 'unavailable', reason: 'nvidia-smi is not installed on this VM' };
  if (exitCode !== 0) return { kind: 'unavailable', reason: message || `nvidia-smi exited with status ${exitCode}` };
  const gpus: GpuReading[] = [];
  for (const line of stdout.split('\n')) {
    if (line.trim() === '') continue;
    const fields = line.split(',').map((field) => field.trim());
    if (fields.length < 5 || !/^\d+$/.test(fields[0]))
      return { kind: 'unavailable', reason: `unexpected nvidia-smi output: ${line.trim()}` };
    // The name may itself contain commas; the three numbers are always last.
    const [utilization, used, total] = fields.slice(-3).map(readNumber);
    gpus.push({ index: Number(fields[0]), name: fields.slice(1, -3).join(', '), utilization, memoryUsedMiB: used, memoryTotalMiB: total });
  }
  if (gpus.length === 0) return { kind: 'unavailable', reason: message || 'No devices were found' };
  return { kind: 'ok', gpus };
}

function readNumber(field: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(?:\s*(?:%|MiB))?$/.exec(field);
  return match ? Number(match[1]) : undefined;
}
