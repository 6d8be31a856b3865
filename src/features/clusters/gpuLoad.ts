/**
 * How a machine's live GPU load reads in the Clusters view: a short summary beside the VM's state
 * and one tooltip row per GPU. Pure: the readings come from nvidia-smi (see logs/nvidiaSmi.ts).
 */
import type { GpuReading, GpuTelemetry } from '../../logs/nvidiaSmi';

const MIB_PER_GB = 1024;

/** "41", or "0.5" below 10 GB so that a small figure is not rounded to nothing. */
function gigabytes(mib: number): string {
  const gb = mib / MIB_PER_GB;
  return gb < 10 ? String(Math.round(gb * 10) / 10) : String(Math.round(gb));
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function known(values: ReadonlyArray<number | undefined>): number[] {
  return values.filter((value): value is number => value !== undefined);
}

/** "41/80 GB" over the given GPUs, or undefined when nvidia-smi gave no memory figures. */
function memoryText(gpus: readonly GpuReading[]): string | undefined {
  const used = known(gpus.map((gpu) => gpu.memoryUsedMiB));
  const total = known(gpus.map((gpu) => gpu.memoryTotalMiB));
  if (used.length === 0 || total.length === 0) return undefined;
  return `${gigabytes(sum(used))}/${gigabytes(sum(total))} GB`;
}

/** The mean utilisation, "87%", or undefined when no GPU reported one. */
function utilizationText(gpus: readonly GpuReading[]): string | undefined {
  const values = known(gpus.map((gpu) => gpu.utilization));
  return values.length === 0 ? undefined : `${Math.round(sum(values) / values.length)}%`;
}

/** "GPU telemetry unavailable: <reason>", as the log panel says it too. */
export function telemetryUnavailable(reason: string): string {
  return `GPU telemetry unavailable: ${reason}`;
}

/**
 * The summary after the VM's state: "GPU 87% · 41/80 GB" (utilisation averaged over the GPUs,
 * memory summed), or "GPU telemetry unavailable" when nvidia-smi failed (the reason is in the tooltip).
 */
export function gpuLoadSummary(reading: GpuTelemetry): string {
  if (reading.kind === 'unavailable') return 'GPU telemetry unavailable';
  const utilization = utilizationText(reading.gpus);
  const memory = memoryText(reading.gpus);
  return [`GPU ${utilization ?? 'load unknown'}`, ...(memory ? [memory] : [])].join(' · ');
}

/** The tooltip's rows: one per GPU ("GPU 0", "NVIDIA A100 80GB PCIe · 87% · 41/80 GB"), or the reason it failed. */
export function gpuLoadTooltipRows(reading: GpuTelemetry): Array<[string, string]> {
  if (reading.kind === 'unavailable') return [['GPU load', telemetryUnavailable(reading.reason)]];
  return reading.gpus.map((gpu) => {
    const parts = [gpu.name, gpu.utilization !== undefined ? `${gpu.utilization}%` : 'load unknown', memoryText([gpu])].filter(
      (part): part is string => !!part,
    );
    return [`GPU ${gpu.index}`, parts.join(' · ')];
  });
}

/** Whether a reading taken at `reading.time` is too old to show at `now`. */
export function isStaleReading(reading: Pick<GpuTelemetry, 'time'>, now: number, maxAgeMs: number): boolean {
  return now - reading.time > maxAgeMs;
}
