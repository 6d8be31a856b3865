import { posix } from 'path';

/**
 * Whether a training script is written for several processes, read from its text: only such a
 * script should run once per GPU under torchrun; an ordinary one run N times does the same work N
 * times (and the copies overwrite each other's files).
 */

/** What in the script shows it is distributed-aware, and where. */
export interface DistributedUse {
  /** The file it was found in, relative to the workspace folder. */
  readonly file: string;
  /** What was found, e.g. `init_process_group` or `PyTorch Lightning`. */
  readonly marker: string;
}

/** Each pattern and the name it is reported by; the first that matches wins. */
const markers: ReadonlyArray<readonly [RegExp, string]> = [
  [/\binit_process_group\s*\(/, 'init_process_group'],
  [/\bDistributedDataParallel\b/, 'DistributedDataParallel'],
  [/\bFullyShardedDataParallel\b|\btorch\.distributed\.fsdp\b/, 'FullyShardedDataParallel'],
  [/\btorch\.distributed\b|\bfrom\s+torch\s+import\s+[^\n]*\bdistributed\b/, 'torch.distributed'],
  [/^\s*(?:import|from)\s+(?:lightning|pytorch_lightning)\b/m, 'PyTorch Lightning'],
  [/^\s*(?:import|from)\s+accelerate\b/m, 'Hugging Face Accelerate'],
  [/^\s*(?:import|from)\s+deepspeed\b/m, 'DeepSpeed'],
  [/^\s*from\s+transformers\s+import\s+[^\n]*\b(?:Trainer|Seq2SeqTrainer)\b/m, 'the Hugging Face Trainer'],
  [/^\s*(?:import|from)\s+(?:trl|torchtune|composer|colossalai)\b/m, 'a distributed training library'],
];

/** The code without comments and docstrings, so that a mention in prose is not taken for use. */
function codeOnly(text: string): string {
  return text
    .replace(/("""|''')[\s\S]*?\1/g, '""')
    .split('\n')
    .map((line) => line.replace(/(^|\s)#.*$/, '$1'))
    .join('\n');
}

/** The first sign of distributed training in one file's text, or undefined. */
export function distributedMarker(text: string): string | undefined {
  const code = codeOnly(text);
  return markers.find(([pattern]) => pattern.test(code))?.[1];
}

/**
 * The files that the script's imports may name inside the workspace, one level: `import helpers`
 * or `from models.net import Net` next to the script (Python puts the script's folder first on
 * its path) or at the workspace root, and `from .x import y`. Relative to the workspace folder;
 * the caller reads those that exist.
 */
export function localImportCandidates(script: string, text: string): string[] {
  const scriptDir = posix.dirname(script);
  const modules = new Set<string>();
  for (const match of codeOnly(text).matchAll(/^\s*from\s+(\.*[\w.]*)\s+import\s+([^\n#]+)/gm)) {
    const [dots, name] = /^(\.*)(.*)$/.exec(match[1])?.slice(1) ?? ['', ''];
    const base = dots.length > 0 ? `${'../'.repeat(dots.length - 1)}${name.replace(/\./g, '/')}` : name.replace(/\./g, '/');
    modules.add(base);
    // `from pkg import module` may import a module of the package.
    for (const imported of match[2].replace(/[()]/g, '').split(',')) {
      const member = imported.trim().split(/\s+/)[0];
      if (/^\w+$/.test(member)) modules.add(base ? `${base}/${member}` : member);
    }
  }
  for (const match of codeOnly(text).matchAll(/^\s*import\s+([^\n#]+)/gm)) {
    for (const imported of match[1].split(',')) {
      const name = imported.trim().split(/\s+/)[0];
      if (/^[\w.]+$/.test(name)) modules.add(name.replace(/\./g, '/'));
    }
  }
  const files = new Set<string>();
  for (const module of modules) {
    if (!module) continue;
    for (const root of scriptDir === '.' ? ['.'] : [scriptDir, '.']) {
      for (const file of [`${module}.py`, `${module}/__init__.py`]) {
        const path = posix.normalize(posix.join(root, file));
        if (!path.startsWith('../') && path !== script) files.add(path);
      }
    }
  }
  return [...files];
}

/**
 * The first sign of distributed training in the script, else in the local files it imports
 * (`imported` maps each path of localImportCandidates that exists to its text).
 */
export function findDistributedUse(
  script: string,
  text: string,
  imported: ReadonlyMap<string, string> = new Map(),
): DistributedUse | undefined {
  const own = distributedMarker(text);
  if (own) return { file: script, marker: own };
  for (const [file, content] of imported) {
    const marker = distributedMarker(content);
    if (marker) return { file, marker };
  }
  return undefined;
}
