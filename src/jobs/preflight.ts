/**
 * Checks a node can run the job before anything is started on it: the interpreter runs and
 * imports torch, nvidia-smi sees the GPUs expected, the home folder has room. One round trip.
 */

import { envsDir, jobsDir } from './remoteLayout';

/** Prints `key=value` lines; values come as arguments, never pasted into the script. */
export function preflightCommand(python: string): string[] {
  const script = [
    'echo "hostname=$(hostname)"',
    'echo "home=$HOME"',
    // One line, whatever torch prints while importing; the error's last line says why.
    'out=$("$1" -c "import torch, sys; ' +
      "sys.stdout.write('torch=' + torch.__version__ + ' cuda=' + str(torch.cuda.is_available()) + chr(10))\" 2>&1)",
    'code=$?',
    'if [ $code -eq 0 ]; then printf "%s\\n" "$out" | grep "^torch="; ',
    'elif [ $code -eq 127 ] || ! command -v "$1" > /dev/null 2>&1; then echo "python-missing=1";',
    'else printf "torch-error=%s\\n" "$(printf "%s" "$out" | tail -n 1)"; fi',
    'if command -v nvidia-smi > /dev/null 2>&1; then',
    '  n=$(nvidia-smi --query-gpu=index --format=csv,noheader 2> /dev/null | grep -c "^[0-9]")',
    '  echo "gpus=$n"',
    'else echo "gpus=none"; fi',
    'echo "disk-free-kb=$(df -Pk "$HOME" | awk \'NR == 2 { print $4 }\')"',
  ].join('\n');
  return ['sh', '-c', script, 'sh', python];
}

export interface PreflightReport {
  readonly hostname?: string;
  /** The remote user's home folder (absolute), where the paths of remoteLayout start. */
  readonly home?: string;
  readonly torchVersion?: string;
  readonly cudaAvailable?: boolean;
  readonly pythonMissing: boolean;
  readonly torchError?: string;
  /** undefined: nvidia-smi is not installed. */
  readonly gpuCount?: number;
  readonly diskFreeKb?: number;
}

export function parsePreflight(output: string): PreflightReport {
  const values = new Map<string, string>();
  for (const line of output.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) values.set(line.slice(0, eq), line.slice(eq + 1));
  }
  const torch = /^(\S+) cuda=(True|False)$/.exec(values.get('torch') ?? '');
  const gpus = values.get('gpus');
  const disk = values.get('disk-free-kb');
  return {
    hostname: values.get('hostname') || undefined,
    home: values.get('home')?.startsWith('/') ? values.get('home') : undefined,
    torchVersion: torch?.[1],
    cudaAvailable: torch ? torch[2] === 'True' : undefined,
    pythonMissing: values.get('python-missing') === '1',
    torchError: values.get('torch-error') || undefined,
    gpuCount: gpus && /^\d+$/.test(gpus) ? Number(gpus) : undefined,
    diskFreeKb: disk && /^\d+$/.test(disk) ? Number(disk) : undefined,
  };
}

export interface PreflightProblem {
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

/** Below this the job cannot even be synced and started. */
const minimumFreeKb = 200 * 1024;
/** Below this checkpoints and a venv may not fit: say so, but let the user go on. */
const comfortableFreeKb = 2 * 1024 * 1024;

/** What stands in the way, with the cause and the fix. `machine` names the node for the messages. */
export function evaluatePreflight(report: PreflightReport, expect: { machine: string; python: string; gpus?: number }): PreflightProblem[] {
  const problems: PreflightProblem[] = [];
  const { machine, python } = expect;
  if (report.pythonMissing) {
    problems.push({
      severity: 'error',
      message:
        `${machine}: the Python interpreter "${python}" was not found. Install Python 3 on the VM, ` +
        'or set azurePytorch.python (or "python" in the launch configuration) to one that exists there.',
    });
  } else if (!report.torchVersion) {
    problems.push({
      severity: 'error',
      message:
        `${machine}: "${python}" cannot import torch${report.torchError ? ` (${report.torchError})` : ''}. ` +
        'Use a VM image with PyTorch (e.g. an Azure Data Science VM), install it with pip, ' +
        'or set azurePytorch.python to the interpreter that has it.',
    });
  }
  if (expect.gpus !== undefined && expect.gpus >= 1) {
    const expected = Math.floor(expect.gpus);
    if (report.gpuCount === undefined) {
      problems.push({
        severity: 'warning',
        message:
          `${machine}: nvidia-smi is not installed, so the NVIDIA driver is probably missing; the job will run on CPU. ` +
          'Install the driver (the NVIDIA GPU Driver extension for Azure VMs) to use the GPUs.',
      });
    } else if (report.gpuCount < expected) {
      problems.push({
        severity: 'warning',
        message:
          `${machine}: nvidia-smi sees ${report.gpuCount} of the ${expected} GPUs of its size. ` +
          'Check the driver (nvidia-smi on the VM), or restart the VM.',
      });
    }
  }
  if (report.diskFreeKb !== undefined) {
    const free = formatKb(report.diskFreeKb);
    if (report.diskFreeKb < minimumFreeKb) {
      problems.push({
        severity: 'error',
        message:
          `${machine}: only ${free} free in the home folder, too little to sync and start the job. ` +
          `Free space on the VM (old jobs are in ~/${jobsDir()}, environments in ~/${envsDir()}) or grow its OS disk.`,
      });
    } else if (report.diskFreeKb < comfortableFreeKb) {
      problems.push({ severity: 'warning', message: `${machine}: only ${free} free in the home folder; checkpoints may not fit.` });
    }
  }
  return problems;
}

function formatKb(kb: number): string {
  return kb >= 1024 * 1024 ? `${(kb / 1024 / 1024).toFixed(1)} GB` : `${Math.round(kb / 1024)} MB`;
}
