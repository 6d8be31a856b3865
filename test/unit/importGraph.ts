import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/**
 * Who imports whom: each file (a repository-relative path with forward slashes) maps to what it
 * imports, a repository-relative path for a relative specifier and the bare specifier for a package.
 */
export type ImportGraph = Map<string, string[]>;

/** Every module a file names: import (also `import type`), `export … from`, require() and import(). */
export function importSpecifiers(sourceText: string): string[] {
  return ts.preProcessFile(sourceText, true, true).importedFiles.map((file) => file.fileName);
}

/** The file a relative specifier names (`./a`, `./a.js`, `./dir` for its index), or the bare specifier. */
export function resolveSpecifier(from: string, specifier: string, files: ReadonlySet<string>): string {
  if (!specifier.startsWith('.')) {
    return specifier;
  }
  const base = path.posix.join(path.posix.dirname(from), specifier);
  const candidates = [base, `${base}.ts`, `${base}/index.ts`, base.replace(/\.js$/, '.ts')];
  return candidates.find((candidate) => files.has(candidate)) ?? base;
}

export function buildImportGraph(sources: ReadonlyMap<string, string>): ImportGraph {
  const files = new Set(sources.keys());
  const graph: ImportGraph = new Map();
  for (const [file, text] of sources) {
    graph.set(
      file,
      importSpecifiers(text).map((specifier) => resolveSpecifier(file, specifier, files)),
    );
  }
  return graph;
}

/** The text of every .ts file under the given folders of root, keyed by repository-relative path. */
export function readSources(root: string, folders: readonly string[]): Map<string, string> {
  const sources = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const relative = path.posix.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(relative);
      } else if (entry.name.endsWith('.ts')) {
        sources.set(relative, fs.readFileSync(path.join(root, relative), 'utf8'));
      }
    }
  };
  folders.forEach(walk);
  return sources;
}

/** Each import cycle as a path that starts and ends at the same file; one per strongly connected group. */
export function findCycles(graph: ImportGraph): string[][] {
  return stronglyConnected(graph)
    .filter((group) => group.length > 1 || (graph.get(group[0]) ?? []).includes(group[0]))
    .map((group) => shortestCycle(group[0], new Set(group), graph));
}

/** Tarjan's algorithm over the files that are keys of the graph. */
function stronglyConnected(graph: ImportGraph): string[][] {
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    lowLink.set(node, index.get(node) ?? 0);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) {
        continue;
      }
      if (!index.has(next)) {
        visit(next);
        lowLink.set(node, Math.min(lowLink.get(node) ?? 0, lowLink.get(next) ?? 0));
      } else if (onStack.has(next)) {
        lowLink.set(node, Math.min(lowLink.get(node) ?? 0, index.get(next) ?? 0));
      }
    }
    if (lowLink.get(node) === index.get(node)) {
      const group: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop();
        if (member !== undefined) {
          onStack.delete(member);
          group.push(member);
        }
      } while (member !== undefined && member !== node);
      groups.push(group.sort());
    }
  };
  for (const node of graph.keys()) {
    if (!index.has(node)) {
      visit(node);
    }
  }
  return groups;
}

/** Breadth-first within one strongly connected group, so the reported cycle is a shortest one. */
function shortestCycle(start: string, members: ReadonlySet<string>, graph: ImportGraph): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head];
    for (const next of graph.get(node) ?? []) {
      if (next === start) {
        const cycle = [start];
        for (let at: string | undefined = node; at !== undefined && at !== start; at = previous.get(at)) {
          cycle.splice(1, 0, at);
        }
        return [start, ...cycle.slice(1), start];
      }
      if (members.has(next) && !previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start];
}

/**
 * Imports against the layer order: layers from the bottom up, and a folder may import its own files
 * and those of lower layers only (two folders of one layer stay independent of each other).
 */
export function layerViolations(
  graph: ImportGraph,
  layers: readonly (readonly string[])[],
  folderOf: (file: string) => string | undefined,
): string[] {
  const rank = new Map(layers.flatMap((folders, level) => folders.map((folder) => [folder, level] as const)));
  const violations: string[] = [];
  for (const [file, targets] of graph) {
    const from = folderOf(file);
    const fromRank = from === undefined ? undefined : rank.get(from);
    for (const target of targets) {
      const to = folderOf(target);
      const toRank = to === undefined ? undefined : rank.get(to);
      if (fromRank !== undefined && toRank !== undefined && from !== to && toRank >= fromRank) {
        violations.push(`${file} -> ${target} (${from} may not import ${to})`);
      }
    }
  }
  return violations;
}
