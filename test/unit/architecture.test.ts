import * as assert from 'assert';
import * as path from 'path';
import { buildImportGraph, findCycles, importSpecifiers, layerViolations, readSources, type ImportGraph } from './importGraph';

// The import rules of ARCHITECTURE.md, checked on the source as it is (every .ts file of src/ and test/).

const root = path.resolve(__dirname, '../../..');

const CORE_FOLDERS = ['azure', 'ssh', 'sync', 'jobs', 'logs', 'common', 'costGuard'];

/**
 * The core's layers, bottom up, as the code has them: common under everything; ssh and azure use
 * only common; sync (tar over ssh) and logs (its types describe what a job's nodes write) sit above
 * them; jobs above them (it quotes with ssh, and a launch may build on sync and on logs' descriptions);
 * costGuard on top (its watchdog reads the jobs' folders, so it takes their layout from jobs).
 */
const CORE_LAYERS = [['common'], ['ssh', 'azure'], ['sync', 'logs'], ['jobs'], ['costGuard']];

/** A feature may use these besides its own folder: the shared SSH side and the top-level files. */
const SHARED_FEATURE_FOLDER = 'connections';

/**
 * Feature-to-feature imports that exist today and break the rule: each should become a service or
 * an interface handed over in extension.ts. Listed exactly, so that a new one fails; remove an entry
 * when its import goes.
 */
const KNOWN_FEATURE_CROSSINGS = [
  // The jobs feature's target picker reads the Clusters view's VMs and their descriptions.
  'src/features/jobs/jobTargets.ts -> src/features/clusters/clustersPresentation.ts',
  'src/features/jobs/jobTargets.ts -> src/features/clusters/clustersService.ts',
  // The shared connector finds a VM's address through the clusters service.
  'src/features/connections/machineConnector.ts -> src/features/clusters/clustersService.ts',
];

/** `azure` for src/azure/…, `features/jobs` for src/features/jobs/…, undefined elsewhere. */
function srcFolder(file: string): string | undefined {
  const parts = file.split('/');
  if (parts[0] !== 'src' || parts.length < 3) {
    return undefined;
  }
  return parts[1] === 'features' ? (parts.length > 3 ? `features/${parts[2]}` : undefined) : parts[1];
}

function coreFolder(file: string): string | undefined {
  const folder = srcFolder(file);
  return folder !== undefined && CORE_FOLDERS.includes(folder) ? folder : undefined;
}

function edges(graph: ImportGraph, from: (file: string) => boolean): [string, string][] {
  return [...graph].filter(([file]) => from(file)).flatMap(([file, targets]) => targets.map((target): [string, string] => [file, target]));
}

/** (a) The core runs in plain Node: no vscode, nothing of the features or of extension.ts. */
function coreViolations(graph: ImportGraph): string[] {
  return edges(graph, (file) => coreFolder(file) !== undefined)
    .filter(([, target]) => target === 'vscode' || target.startsWith('src/features/') || target.startsWith('src/extension'))
    .map(([file, target]) => `${file} -> ${target}`);
}

/** (d) Features talk through services handed over in extension.ts, not through each other's files. */
function featureCrossings(graph: ImportGraph): string[] {
  return edges(graph, (file) => srcFolder(file)?.startsWith('features/') === true)
    .filter(([file, target]) => {
      const to = srcFolder(target);
      return to?.startsWith('features/') === true && to !== srcFolder(file) && to !== `features/${SHARED_FEATURE_FOLDER}`;
    })
    .map(([file, target]) => `${file} -> ${target}`);
}

/** (e) The unit tier is pure: nothing it imports, directly or not, is part of the sandbox. */
function unitPaths(graph: ImportGraph, forbidden: (file: string) => boolean): string[][] {
  const found: string[][] = [];
  const seen = new Set<string>();
  const queue = [...graph.keys()].filter((file) => file.startsWith('test/unit/')).map((file) => [file]);
  queue.forEach((trail) => seen.add(trail[0]));
  for (let head = 0; head < queue.length; head++) {
    const trail = queue[head];
    for (const target of graph.get(trail[trail.length - 1]) ?? []) {
      if (forbidden(target)) {
        found.push([...trail, target]);
      } else if (graph.has(target) && !seen.has(target)) {
        seen.add(target);
        queue.push([...trail, target]);
      }
    }
  }
  return found;
}

const inSandbox = (file: string): boolean => file.startsWith('test/sandbox/');

function graphOf(files: Record<string, string>): ImportGraph {
  return buildImportGraph(new Map(Object.entries(files)));
}

describe('architecture', () => {
  const graph = buildImportGraph(readSources(root, ['src', 'test']));
  const srcGraph: ImportGraph = new Map([...graph].filter(([file]) => file.startsWith('src/')));

  it('knows where every src file belongs', () => {
    const unplaced = [...srcGraph.keys()].filter(
      (file) => file !== 'src/extension.ts' && srcFolder(file) === undefined && !/^src\/features\/[^/]+\.ts$/.test(file),
    );
    const unknownFolders = [...srcGraph.keys()]
      .map(srcFolder)
      .filter((folder) => folder !== undefined && !folder.startsWith('features/') && !CORE_FOLDERS.includes(folder));
    assert.deepStrictEqual([...unplaced, ...new Set(unknownFolders)], []);
  });

  it('keeps vscode, the features and extension.ts out of the core', () => {
    assert.deepStrictEqual(coreViolations(srcGraph), []);
  });

  it('has no import cycle among src files', () => {
    assert.deepStrictEqual(findCycles(srcGraph), []);
  });

  it('imports only downward between core folders', () => {
    assert.deepStrictEqual(layerViolations(srcGraph, CORE_LAYERS, coreFolder), []);
  });

  it('lets a feature reach another feature only through connections and the top-level files', () => {
    const crossings = featureCrossings(srcGraph);
    assert.deepStrictEqual(
      crossings.filter((edge) => !KNOWN_FEATURE_CROSSINGS.includes(edge)),
      [],
    );
    assert.deepStrictEqual(
      KNOWN_FEATURE_CROSSINGS.filter((edge) => !crossings.includes(edge)),
      [],
      'an allowed crossing is gone: remove it from KNOWN_FEATURE_CROSSINGS',
    );
  });

  it('keeps the sandbox out of the unit tier', () => {
    assert.deepStrictEqual(unitPaths(graph, inSandbox), []);
  });
});

// Each check above passes on the real tree; these show that each of them can fail.
describe('architecture checks', () => {
  it('finds every kind of import', () => {
    const text = [
      "import * as a from './a';",
      "import type { B } from './b';",
      "export { c } from './c';",
      "export * from './d';",
      "const e = require('./e');",
      "const f = await import('./f');",
      "import './g';",
    ].join('\n');
    assert.deepStrictEqual(importSpecifiers(text), ['./a', './b', './c', './d', './e', './f', './g']);
  });

  it('resolves files, index files and .js specifiers', () => {
    const graph = graphOf({
      'src/a/x.ts': "import './y'; import '../b'; import './z.js'; import 'vscode';",
      'src/a/y.ts': '',
      'src/a/z.ts': '',
      'src/b/index.ts': '',
    });
    assert.deepStrictEqual(graph.get('src/a/x.ts'), ['src/a/y.ts', 'src/b/index.ts', 'src/a/z.ts', 'vscode']);
  });

  it('reports a cycle as the path around it', () => {
    const graph = graphOf({
      'src/a.ts': "import './b';",
      'src/b.ts': "import './c'; import './d';",
      'src/c.ts': "import './a';",
      'src/d.ts': "import './d';",
      'src/e.ts': "import './a';",
    });
    assert.deepStrictEqual(findCycles(graph), [
      ['src/d.ts', 'src/d.ts'],
      ['src/a.ts', 'src/b.ts', 'src/c.ts', 'src/a.ts'],
    ]);
    assert.deepStrictEqual(findCycles(graphOf({ 'src/a.ts': "import './b';", 'src/b.ts': '' })), []);
  });

  it('flags an upward or sideways import between layers', () => {
    const graph = graphOf({
      'src/common/c.ts': "import '../jobs/j';",
      'src/ssh/s.ts': "import '../azure/a'; import '../common/c';",
      'src/azure/a.ts': '',
      'src/jobs/j.ts': "import '../ssh/s'; import './k';",
      'src/jobs/k.ts': '',
    });
    assert.deepStrictEqual(layerViolations(graph, CORE_LAYERS, coreFolder), [
      'src/common/c.ts -> src/jobs/j.ts (common may not import jobs)',
      'src/ssh/s.ts -> src/azure/a.ts (ssh may not import azure)',
    ]);
  });

  it('flags vscode, a feature or extension.ts in the core', () => {
    const graph = graphOf({
      'src/logs/l.ts': "import * as vscode from 'vscode'; import '../features/jobs/j'; import '../extension';",
      'src/features/jobs/j.ts': "import 'vscode';",
      'src/extension.ts': "import 'vscode';",
    });
    assert.deepStrictEqual(coreViolations(graph), [
      'src/logs/l.ts -> vscode',
      'src/logs/l.ts -> src/features/jobs/j.ts',
      'src/logs/l.ts -> src/extension.ts',
    ]);
  });

  it("flags a feature that imports another feature's files", () => {
    const graph = graphOf({
      'src/features/jobs/j.ts': "import '../clusters/c'; import '../connections/p'; import '../services'; import './k';",
      'src/features/jobs/k.ts': '',
      'src/features/clusters/c.ts': '',
      'src/features/connections/p.ts': "import '../jobs/k';",
      'src/features/services.ts': "import './jobs/j';",
    });
    assert.deepStrictEqual(featureCrossings(graph), [
      'src/features/jobs/j.ts -> src/features/clusters/c.ts',
      'src/features/connections/p.ts -> src/features/jobs/k.ts',
    ]);
  });

  it('flags a unit test that reaches the sandbox, also through another file', () => {
    const graph = graphOf({
      'test/unit/a.test.ts': "import './helper';",
      'test/unit/helper.ts': "import '../system/hosts';",
      'test/system/hosts.ts': "import '../sandbox/main';",
      'test/sandbox/main.ts': '',
    });
    assert.deepStrictEqual(unitPaths(graph, inSandbox), [['test/unit/helper.ts', 'test/system/hosts.ts', 'test/sandbox/main.ts']]);
  });
});
