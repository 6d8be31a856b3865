/**
 * What the SSH Hosts node says about each host's GPUs: the nvidia-smi inventory query, its parsing,
 * and how each outcome (GPUs, none, a host key to confirm, a connection error) reads. Pure.
 */
import { AuthenticationFailedError, CommandTimeoutError, HostKeyChangedError, HostKeyRejectedError } from '../../ssh/errors';

export const gpuInventoryArgv = ['nvidia-smi', '--query-gpu=name,memory.total', '--format=csv,noheader,nounits'];

export interface HostGpu {
  readonly name: string;
  readonly memoryMiB?: number;
}

export type GpuInventory =
  | { readonly kind: 'gpus'; readonly gpus: readonly HostGpu[] }
  | { readonly kind: 'none'; readonly reason: string }
  | { readonly kind: 'failed'; readonly reason: string };

const NO_DEVICES_EXIT = 6;
const NOT_FOUND_EXIT = 127;

/** Reads the inventory query's output and exit status. */
export function parseGpuInventory(stdout: string, stderr: string, exitCode: number | null): GpuInventory {
  const message = (stderr.trim() || stdout.trim()).split('\n')[0]?.trim() ?? '';
  if (exitCode === NOT_FOUND_EXIT) return { kind: 'none', reason: 'nvidia-smi is not installed' };
  if (exitCode === NO_DEVICES_EXIT || /no devices were found/i.test(message))
    return { kind: 'none', reason: 'nvidia-smi found no devices' };
  if (exitCode !== 0) return { kind: 'failed', reason: `nvidia-smi failed: ${message || `exit status ${exitCode}`}` };
  const gpus: HostGpu[] = [];
  for (const line of stdout.split('\n')) {
    if (line.trim() === '') continue;
    const fields = line.split(',').map((field) => field.trim());
    // A name may itself hold commas; the memory is always the last field.
    const memory = fields.length > 1 ? /^(\d+)(?:\s*MiB)?$/.exec(fields[fields.length - 1]) : null;
    const name = (memory ? fields.slice(0, -1) : fields).join(', ');
    if (!name) return { kind: 'failed', reason: `unexpected nvidia-smi output: ${line.trim()}` };
    gpus.push(memory ? { name, memoryMiB: Number(memory[1]) } : { name });
  }
  return gpus.length === 0 ? { kind: 'none', reason: 'nvidia-smi listed no GPU' } : { kind: 'gpus', gpus };
}

/** "2× NVIDIA A100 80GB PCIe", or "1× NVIDIA A10, 1× Tesla T4" for a mix, in the order nvidia-smi listed them. */
export function formatGpuInventory(gpus: readonly HostGpu[]): string {
  const counts = new Map<string, number>();
  for (const gpu of gpus) counts.set(gpu.name, (counts.get(gpu.name) ?? 0) + 1);
  return [...counts].map(([name, count]) => `${count}× ${name}`).join(', ');
}

/** Where the SSH Hosts node stands with one host's GPUs. */
export type SshHostGpuState =
  | { readonly status: 'unread' }
  | { readonly status: 'reading' }
  | { readonly status: 'read'; readonly inventory: GpuInventory }
  /** The host key is not in known_hosts: reading in the background would have to ask about it. */
  | { readonly status: 'hostKeyUnknown'; readonly detail: string }
  | { readonly status: 'failed'; readonly message: string; readonly advice: string };

/** How a failed connection or read reads: what happened, and what to do. */
export function describeSshHostFailure(error: unknown, host: string): Extract<SshHostGpuState, { status: 'failed' }> {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof HostKeyChangedError) {
    return { status: 'failed', message: `The host key of ${host} has changed`, advice: message };
  }
  if (error instanceof HostKeyRejectedError) {
    return {
      status: 'failed',
      message: `The host key of ${host} was refused`,
      advice: `${message} Connect to read GPUs to check its fingerprint.`,
    };
  }
  if (error instanceof AuthenticationFailedError) {
    return {
      status: 'failed',
      message: 'No key was accepted',
      advice: `${message} If your key has a passphrase, use Connect to read GPUs to enter it.`,
    };
  }
  if (error instanceof CommandTimeoutError || /timed out|did not answer/i.test(message)) {
    return {
      status: 'failed',
      message: 'No answer',
      advice: `${message}. Check that ${host} is up and reachable from here, then refresh.`,
    };
  }
  if (/ECONNREFUSED|refused/i.test(message)) {
    return {
      status: 'failed',
      message: 'Connection refused',
      advice: `${message}. Check that sshd runs on ${host} and its port in ~/.ssh/config, then refresh.`,
    };
  }
  if (/ENOTFOUND|EAI_AGAIN|getaddrinfo/i.test(message)) {
    return {
      status: 'failed',
      message: 'Unknown host name',
      advice: `${message}. Check the HostName of ${host} in ~/.ssh/config or the address you added.`,
    };
  }
  return { status: 'failed', message: 'Cannot connect', advice: `${message}. Check the host and your SSH settings, then refresh.` };
}

/** How a host's GPU state shows: the text in its description, the tooltip's lines, and whether clicking it connects. */
export interface SshHostGpuPresentation {
  readonly description: string;
  readonly tooltip: readonly string[];
  /** The node offers "Connect to read GPUs" (a click asks the user, e.g. about the host key). */
  readonly offersConnect: boolean;
}

export function sshHostGpuPresentation(state: SshHostGpuState): SshHostGpuPresentation {
  switch (state.status) {
    case 'unread':
      return { description: '', tooltip: [], offersConnect: false };
    case 'reading':
      return { description: 'reading GPUs…', tooltip: ['Reading its GPUs with nvidia-smi…'], offersConnect: false };
    case 'hostKeyUnknown':
      return {
        description: 'Connect to read GPUs',
        tooltip: [
          `Its host key is not known yet (${state.detail}).`,
          'Click to connect: you are asked to confirm the key, then its GPUs are read.',
        ],
        offersConnect: true,
      };
    case 'failed':
      return { description: state.message, tooltip: [state.message, state.advice], offersConnect: true };
    case 'read':
      switch (state.inventory.kind) {
        case 'gpus': {
          const lines = state.inventory.gpus.map(
            (gpu, index) => `GPU ${index}: ${gpu.name}${gpu.memoryMiB !== undefined ? ` (${Math.round(gpu.memoryMiB / 1024)} GB)` : ''}`,
          );
          return { description: formatGpuInventory(state.inventory.gpus), tooltip: lines, offersConnect: false };
        }
        case 'none':
          return { description: 'no NVIDIA GPU', tooltip: [`No NVIDIA GPU: ${state.inventory.reason}.`], offersConnect: false };
        case 'failed':
          return { description: 'GPUs unknown', tooltip: [state.inventory.reason], offersConnect: false };
      }
  }
}
