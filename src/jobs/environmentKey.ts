import { createHash } from 'crypto';

/** What decides a job's Python environment on the VM. */
export interface EnvironmentInputs {
  /** The interpreter that creates the venv. */
  readonly python: string;
  /** The requirements file's path in the workspace and its content, if the job has one. */
  readonly requirements?: { readonly path: string; readonly text: string };
  readonly setup: readonly string[];
}

/**
 * The folder name of the job's venv (remoteLayout's envDir), or undefined when the job needs
 * none (no requirements, no setup): then the image's Python runs the job as it is, which is what
 * a venv with --system-site-packages would give anyway, without the seconds it takes to create.
 * The key changes with anything that changes the venv's content, so a changed requirements file or
 * setup list gets a fresh venv and an unchanged one reuses the old.
 */
export function environmentKey(inputs: EnvironmentInputs): string | undefined {
  if (!inputs.requirements && inputs.setup.length === 0) return undefined;
  const hash = createHash('sha256');
  // layout: bumped when the run script builds venvs differently, so old ones are not reused (2: a venv's parent packages).
  hash.update(JSON.stringify({ layout: 2, python: inputs.python, requirements: inputs.requirements?.text ?? null, setup: inputs.setup }));
  return `venv-${hash.digest('hex').slice(0, 16)}`;
}
