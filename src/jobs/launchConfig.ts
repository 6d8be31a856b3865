import { parseJsonc } from './jsonc';
import { runScriptVariablePrefix } from './runScript';

/**
 * Saved launch configurations: `.vscode/azure-pytorch.json` in a workspace folder. The JSON schema
 * in schemas/azure-pytorch.schema.json describes the same fields for the editor; this is the check
 * that the extension trusts.
 */
export const launchConfigFile = '.vscode/azure-pytorch.json';

export interface LaunchConfiguration {
  readonly name: string;
  readonly script: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** VM resource ids, VM names or SSH hosts; empty: ask at launch. */
  readonly targets: readonly string[];
  /** How many nodes; default: the number of targets (asked at launch when there are none). */
  readonly nodes?: number;
  /** Processes per node; default: one per GPU for a distributed-aware script, else 1 (processesPerNode.ts). */
  readonly nprocPerNode?: number;
  readonly python?: string;
  readonly requirements?: string;
  readonly setup: readonly string[];
  readonly syncExclude: readonly string[];
  readonly outputs?: string;
}

/** A configuration file that could not be used: `field` is a path like `configurations[1].nodes`. */
export class LaunchConfigError extends Error {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(field ? `${launchConfigFile}: "${field}" ${problem}` : `${launchConfigFile}: ${problem}`);
  }
}

type Field =
  | 'name'
  | 'script'
  | 'args'
  | 'env'
  | 'targets'
  | 'nodes'
  | 'nprocPerNode'
  | 'python'
  | 'requirements'
  | 'setup'
  | 'syncExclude'
  | 'outputs';
const fields: readonly Field[] = [
  'name',
  'script',
  'args',
  'env',
  'targets',
  'nodes',
  'nprocPerNode',
  'python',
  'requirements',
  'setup',
  'syncExclude',
  'outputs',
];
const envName = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Parses and checks the file's text; throws LaunchConfigError naming the first bad field. */
export function parseLaunchConfigurations(text: string): LaunchConfiguration[] {
  let root: unknown;
  try {
    root = parseJsonc(text);
  } catch (error) {
    throw new LaunchConfigError('', `is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!isObject(root)) throw new LaunchConfigError('', 'must hold an object with a "configurations" list');
  for (const key of Object.keys(root)) {
    if (key !== 'configurations' && key !== '$schema' && key !== 'version')
      throw new LaunchConfigError(key, 'is not a known field (expected "configurations")');
  }
  const list = root.configurations ?? [];
  if (!Array.isArray(list)) throw new LaunchConfigError('configurations', 'must be a list of configurations');
  const configurations = list.map((entry, index) => validateConfiguration(entry, `configurations[${index}]`));
  const seen = new Set<string>();
  configurations.forEach((configuration, index) => {
    if (seen.has(configuration.name))
      throw new LaunchConfigError(`configurations[${index}].name`, `repeats the name "${configuration.name}": names must be unique`);
    seen.add(configuration.name);
  });
  return configurations;
}

function validateConfiguration(entry: unknown, at: string): LaunchConfiguration {
  if (!isObject(entry)) throw new LaunchConfigError(at, 'must be an object');
  for (const key of Object.keys(entry)) {
    if (!fields.some((known) => known === key)) {
      const near = fields.find((f) => f.toLowerCase().startsWith(key.toLowerCase().slice(0, 4)));
      throw new LaunchConfigError(`${at}.${key}`, `is not a known field${near ? ` (did you mean "${near}"?)` : ''}`);
    }
  }
  const name = requiredString(entry, 'name', at);
  const script = relativePath(requiredString(entry, 'script', at), `${at}.script`);
  if (!/\.py$/i.test(script)) throw new LaunchConfigError(`${at}.script`, `must name a Python (.py) file (got "${script}")`);
  const envEntry = entry.env ?? {};
  if (!isObject(envEntry)) throw new LaunchConfigError(`${at}.env`, 'must be an object of variable names to string values');
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(envEntry)) {
    if (!envName.test(key)) throw new LaunchConfigError(`${at}.env`, `has "${key}", which is not a valid environment variable name`);
    if (key.toLowerCase().startsWith(runScriptVariablePrefix))
      throw new LaunchConfigError(
        `${at}.env`,
        `has "${key}": names starting with ${runScriptVariablePrefix} are reserved for the job's run script`,
      );
    if (typeof value !== 'string') throw new LaunchConfigError(`${at}.env.${key}`, 'must be a string');
    env[key] = value;
  }
  const targets = stringList(entry, 'targets', at);
  const nodes = positiveInteger(entry, 'nodes', at);
  if (nodes !== undefined && targets.length > 0 && nodes > targets.length) {
    throw new LaunchConfigError(
      `${at}.nodes`,
      `is ${nodes}, but "targets" names only ${targets.length} machine${targets.length === 1 ? '' : 's'}`,
    );
  }
  if (new Set(targets).size !== targets.length) throw new LaunchConfigError(`${at}.targets`, 'names a machine twice');
  const requirements = optionalString(entry, 'requirements', at);
  const outputs = optionalString(entry, 'outputs', at);
  return {
    name,
    script,
    args: stringList(entry, 'args', at),
    env,
    targets,
    nodes,
    nprocPerNode: positiveInteger(entry, 'nprocPerNode', at),
    python: optionalString(entry, 'python', at),
    requirements: requirements === undefined ? undefined : relativePath(requirements, `${at}.requirements`),
    setup: stringList(entry, 'setup', at),
    syncExclude: stringList(entry, 'syncExclude', at),
    outputs: outputs === undefined ? undefined : relativePath(outputs, `${at}.outputs`),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requiredString(entry: Record<string, unknown>, key: Field, at: string): string {
  if (entry[key] === undefined) throw new LaunchConfigError(`${at}.${key}`, 'is missing');
  const value = optionalString(entry, key, at);
  if (!value) throw new LaunchConfigError(`${at}.${key}`, 'must not be empty');
  return value;
}

function optionalString(entry: Record<string, unknown>, key: Field, at: string): string | undefined {
  const value = entry[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new LaunchConfigError(`${at}.${key}`, `must be a string (got ${describe(value)})`);
  if (!value.trim()) throw new LaunchConfigError(`${at}.${key}`, 'must not be empty');
  return value;
}

function stringList(entry: Record<string, unknown>, key: Field, at: string): string[] {
  const value = entry[key];
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new LaunchConfigError(`${at}.${key}`, `must be a list of strings (got ${describe(value)})`);
  return value.map((item: unknown, index) => {
    if (typeof item !== 'string') throw new LaunchConfigError(`${at}.${key}[${index}]`, `must be a string (got ${describe(item)})`);
    return item;
  });
}

function positiveInteger(entry: Record<string, unknown>, key: Field, at: string): number | undefined {
  const value = entry[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new LaunchConfigError(`${at}.${key}`, `must be a whole number of 1 or more (got ${describe(value)})`);
  }
  return value;
}

/** A path inside the workspace: relative, `/`-separated, not climbing out with `..`. */
function relativePath(value: string, field: string): string {
  const problem = workspacePathProblem(value);
  if (problem) throw new LaunchConfigError(field, problem);
  return normalizedWorkspacePath(value);
}

/** Why `value` is not a path inside the workspace folder; undefined when it is one. */
export function workspacePathProblem(value: string): string | undefined {
  const path = normalizedWorkspacePath(value);
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path) || path.startsWith('~'))
    return `must be relative to the workspace folder (got "${value}")`;
  if (path.split('/').includes('..')) return `must stay inside the workspace folder (got "${value}")`;
  return undefined;
}

/** `\` read as `/`, a leading `./` dropped. */
export function normalizedWorkspacePath(value: string): string {
  return value.replace(/\\/g, '/').replace(/^\.\//, '');
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'string') return `"${value}"`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value === 'object' ? 'an object' : typeof value;
}
