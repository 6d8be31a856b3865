import * as fs from 'node:fs/promises';
import * as path from 'node:path';

/** The GPUs of a VM size, e.g. `{ model: 'NVIDIA A100 80GB PCIe', count: 1, memoryMiB: 81920 }`. */
export interface GpuSpec {
  model: string;
  count: number;
  memoryMiB: number;
}

/** Live values of one GPU; a field left out is derived from the host's Python jobs (see bin/nvidia-smi). */
export interface GpuLoad {
  utilization?: number;
  memoryUsedMiB?: number;
}

/** nvidia-smi reads its state from this folder beside it, in the host's /usr/local/bin. */
const STATE_FOLDER = '.sandbox-gpu';

export async function writeGpuInventory(binDir: string, hostId: string, gpu: GpuSpec | undefined): Promise<void> {
  await fs.mkdir(path.join(binDir, STATE_FOLDER), { recursive: true, mode: 0o755 });
  await writeAtomically(path.join(binDir, STATE_FOLDER, 'gpus.json'), { hostId, gpu: gpu ?? null });
}

/**
 * One load for every GPU, one per GPU index, or undefined to go back to values derived from the jobs.
 */
export async function writeGpuLoad(binDir: string, gpuCount: number, load: GpuLoad | readonly GpuLoad[] | undefined): Promise<void> {
  const file = path.join(binDir, STATE_FOLDER, 'load.json');
  if (load === undefined) {
    await fs.rm(file, { force: true });
    return;
  }
  const gpus = isPerGpu(load) ? load : Array.from({ length: gpuCount }, () => load);
  await writeAtomically(file, { gpus });
}

function isPerGpu(load: GpuLoad | readonly GpuLoad[]): load is readonly GpuLoad[] {
  return Array.isArray(load);
}

/** Write then rename, so a concurrent nvidia-smi never reads half a file. */
async function writeAtomically(file: string, value: unknown): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temporary, `${JSON.stringify(value)}\n`, { mode: 0o644 });
  await fs.rename(temporary, file);
}
