import { shellQuote } from '../ssh/shellQuote';
import { environmentKey } from './environmentKey';
import type { JobSpec } from './jobSpec';
import { jobEnvironment, torchrunArguments } from './launcher';
import { envDir, envsDir, jobFiles } from './remoteLayout';

/** The requirements file's content, read locally at launch; it decides the environment's key. */
export interface RunScriptInputs {
  readonly spec: JobSpec;
  readonly requirementsText?: string;
}

/**
 * The prefix of every variable the run script sets for itself. The job's `env` is exported in the
 * same shell, so launch configurations may not use it (launchConfig.ts refuses such names).
 */
export const runScriptVariablePrefix = '__azp_';

/**
 * The job's run.sh, the same on every node: `./run.sh <node-rank>`, started detached in the job
 * folder with its output going to the node's log. It prepares the environment, runs torchrun in
 * the job's snapshot of the synced workspace (`AZURE_PYTORCH_OUTPUTS` names its outputs folder),
 * and writes its own PID, times and exit code, so the job's state can be read from the folder
 * whether or not anyone watched. Every value from the spec is quoted.
 */
export function runScript({ spec, requirementsText }: RunScriptInputs): string {
  const q = shellQuote;
  const reserved = Object.keys(spec.env).find((name) => name.toLowerCase().startsWith(runScriptVariablePrefix));
  if (reserved)
    throw new Error(
      `The environment variable ${reserved} uses the prefix ${runScriptVariablePrefix}, which the run script keeps for itself.`,
    );
  const key = environmentKey({
    python: spec.python,
    requirements: spec.requirements !== undefined ? { path: spec.requirements, text: requirementsText ?? '' } : undefined,
    setup: spec.setup,
  });
  const perRank = spec.nodes.map((_, rank) => {
    const exports = Object.entries({ ...spec.env, ...jobEnvironment(spec, rank) }).map(([name, value]) => `export ${name}=${q(value)}`);
    return [
      `  ${rank})`,
      ...exports.map((line) => `    ${line}`),
      `    set -- ${torchrunArguments(spec, rank).map(q).join(' ')}`,
      '    ;;',
    ].join('\n');
  });
  const lines = [
    '#!/bin/sh',
    `# Azure PyTorch job ${spec.id}. Started in this folder as`,
    '#   setsid nohup ./run.sh RANK > node-RANK.log 2>&1 < /dev/null &',
    '# It records its PID (its session id), start and end times and exit code next to its log.',
    "# Its own variables start with __azp_ and are set before the job's environment (which may",
    '# replace HOME or PATH) is exported, so that nothing in it moves where the exit code goes.',
    '__azp_rank=$1',
    '__azp_job_dir=$(pwd)',
    '__azp_home=$HOME',
    '__azp_path=$PATH',
    `echo $$ > "${fileOf(jobFiles.pid)}.run" && mv -f "${fileOf(jobFiles.pid)}.run" "${fileOf(jobFiles.pid)}"`,
    `date +%s > "${fileOf(jobFiles.started)}"`,
    '',
    'finish() {',
    '  PATH=$__azp_path',
    `  date +%s > "$__azp_job_dir/${fileOf(jobFiles.ended)}"`,
    `  echo "$1" > "$__azp_job_dir/${fileOf(jobFiles.exitCode)}.tmp" && ` +
      `mv -f "$__azp_job_dir/${fileOf(jobFiles.exitCode)}.tmp" "$__azp_job_dir/${fileOf(jobFiles.exitCode)}"`,
    '  exit "$1"',
    '}',
    "trap 'finish 143' TERM",
    "trap 'finish 130' INT",
    'say() { printf \'[azure-pytorch] %s\\n\' "$*"; }',
    '',
    'case "$__azp_rank" in',
    ...perRank,
    '  *)',
    '    say "No node $__azp_rank in this job."',
    '    finish 2',
    '    ;;',
    'esac',
    '',
    `__azp_python=${q(spec.python)}`,
    `__azp_workspace="$__azp_job_dir"/${jobFiles.workspace}`,
    'cd "$__azp_workspace" || { say "The job\'s copy of the workspace, $__azp_workspace, is missing: run the job again."; finish 1; }',
    // The job's own outputs folder, also where a relative `outputs/` lands: jobs never share one.
    `export AZURE_PYTORCH_OUTPUTS="$__azp_workspace"/${q(spec.outputs)}`,
    'mkdir -p -- "$AZURE_PYTORCH_OUTPUTS"',
    ...(key ? environmentSteps(spec, key) : []),
    '',
    // torchrun is a Python script; running it with the job's interpreter makes the workers use it too.
    // Not on PATH, it is beside the image's interpreter (the job's venv has none of its own).
    `__azp_torchrun=$(command -v torchrun) || __azp_torchrun=$(dirname "$(command -v ${q(spec.python)})")/torchrun`,
    'if [ ! -f "$__azp_torchrun" ]; then',
    '  say "torchrun was not found on $(hostname): install PyTorch there, or set azurePytorch.python to the interpreter that has it."',
    '  finish 127',
    'fi',
    `say "Job ${spec.id}: node $__azp_rank of ${spec.nodes.length} on $(hostname), torchrun $*"`,
    ...(spec.nprocReason ? [`say ${q(`Processes: ${spec.nprocReason}`)}`] : []),
    `date +%s > "$__azp_job_dir/${fileOf(jobFiles.running)}"`,
    '"$__azp_python" "$__azp_torchrun" "$@"',
    'finish "$?"',
    '',
  ];
  return lines.join('\n');
}

/** Creates the venv once per key (under a lock, as two jobs may start together), then activates it. */
function environmentSteps(spec: JobSpec, key: string): string[] {
  const q = shellQuote;
  const install = spec.requirements
    ? [
        `  say ${q(`Installing ${spec.requirements}`)}`,
        `  "$__azp_env_dir/bin/python" -m pip install --disable-pip-version-check -r ${q(spec.requirements)} || return 1`,
      ]
    : [];
  const setup = spec.setup.flatMap((command) => [
    `  say ${q(`$ ${command}`)}`,
    `  sh -c ${q(command)} || { say ${q(`Setup command failed: ${command}`)}; return 1; }`,
  ]);
  return [
    '',
    `__azp_env_dir="$__azp_home"/${q(envDir(key))}`,
    'prepare_env() {',
    '  if [ -f "$__azp_env_dir/.ready" ] && "$__azp_env_dir/bin/python" -c "" 2>/dev/null; then',
    '    say "Reusing the environment $__azp_env_dir"',
    '    return 0',
    '  fi',
    '  say "Creating the environment $__azp_env_dir"',
    '  rm -rf "$__azp_env_dir"',
    '  "$__azp_python" -m venv --system-site-packages "$__azp_env_dir" || ' +
      '{ say "Creating the venv failed: install python3-venv on the VM."; return 1; }',
    ...parentSitePackagesSteps(),
    '  . "$__azp_env_dir/bin/activate" || return 1',
    ...install,
    ...setup,
    '  touch "$__azp_env_dir/.ready"',
    '}',
    `mkdir -p "$__azp_home"/${q(envsDir())}`,
    'if command -v flock > /dev/null 2>&1; then',
    '  ( flock 9 && prepare_env ) 9> "$__azp_env_dir.lock" || finish 1',
    'else',
    '  ( prepare_env ) || finish 1',
    'fi',
    '. "$__azp_env_dir/bin/activate"',
    '__azp_python="$__azp_env_dir/bin/python"',
  ];
}

/**
 * `venv --system-site-packages` from an interpreter that is itself a venv (an image's
 * /opt/torch/.venv/bin/python3) sees the base installation's packages, not that venv's, so torch
 * would be missing. When the image's interpreter is a venv (or an old virtualenv), a .pth file in
 * the new venv adds the image venv's site-packages after its own, .pth files there included.
 */
function parentSitePackagesSteps(): string[] {
  const q = shellQuote;
  const parentPth = [
    'import sys, sysconfig',
    'if sys.prefix != getattr(sys, "real_prefix", getattr(sys, "base_prefix", sys.prefix)):',
    '    sites = dict.fromkeys(sysconfig.get_path(name) for name in ("purelib", "platlib"))',
    '    print("import site; " + "; ".join("site.addsitedir(%r)" % site for site in sites))',
  ].join('\n');
  const purelib = 'import sysconfig; print(sysconfig.get_path("purelib"))';
  return [
    `  __azp_parent_pth=$("$__azp_python" -c ${q(parentPth)}) || return 1`,
    '  if [ -n "$__azp_parent_pth" ]; then',
    `    __azp_env_site=$("$__azp_env_dir/bin/python" -c ${q(purelib)}) || return 1`,
    `    printf '%s\\n' "$__azp_parent_pth" > "$__azp_env_site/_azure_pytorch_parent.pth" || return 1`,
    '  fi',
  ];
}

/** A per-node file name with the rank as a shell variable. */
function fileOf(name: (rank: number) => string): string {
  return name(0).replace(/^node-0/, 'node-$__azp_rank');
}
