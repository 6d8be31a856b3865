/**
 * How long a search with no match over 2,000,000 lines blocks the extension host's event loop:
 * read in one go (as before: `sliceMs` = Infinity) vs in slices (the panel's default). Figures:
 * the longest event-loop delay seen (perf_hooks.monitorEventLoopDelay) and the search's wall time.
 * No sandbox needed. Run: npx tsc -p . && node out/bench/logSearch.js
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { LineView } from '../src/logs/lineView';
import { LogStore } from '../src/logs/logStore';

const lineCount = 2_000_000;

interface Measure {
  blockMs: number;
  p99Ms: number;
  wallMs: number;
}

function fill(store: LogStore, view: LineView): void {
  const perChunk = 50_000;
  for (let first = 0; first < lineCount; first += perChunk) {
    const lines: string[] = [];
    for (let i = first; i < first + perChunk; i++)
      lines.push(`[default${i % 2}]:epoch 3 step=${i} loss=${(1 / (i + 1)).toFixed(6)} lr=0.0003 shard train-${i % 1000}.tar`);
    store.ingest(0, Buffer.from(`${lines.join('\n')}\n`), (line) => view.added(line.index));
  }
}

async function measure(view: LineView, sliceMs: number): Promise<Measure> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  // Let the monitor's timer start before the search begins.
  await new Promise((resolve) => setTimeout(resolve, 20));
  const start = performance.now();
  const result = await view.search('no such text anywhere', 0, 'next', undefined, sliceMs);
  const wallMs = performance.now() - start;
  await new Promise((resolve) => setTimeout(resolve, 20));
  histogram.disable();
  if (result !== -1) throw new Error(`unexpected result ${result}`);
  return { blockMs: histogram.max / 1e6, p99Ms: histogram.percentile(99) / 1e6, wallMs };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-search-'));
  const store = new LogStore(dir, 1);
  const view = new LineView(store);
  try {
    fill(store, view);
    const runs: { oneGo: Measure; sliced: Measure }[] = [];
    for (let run = 0; run < 3; run++) runs.push({ oneGo: await measure(view, Infinity), sliced: await measure(view, 8) });
    console.log(`\n### Search with no match over ${lineCount.toLocaleString('en')} lines, event-loop block\n`);
    console.log(
      '| run | one go: longest block (ms) | wall (ms) | in 8 ms slices: longest block (ms) | p99 delay (ms) | wall (ms) | block ratio |',
    );
    console.log('|---|---|---|---|---|---|---|');
    runs.forEach(({ oneGo, sliced }, i) =>
      console.log(
        `| ${i + 1} | ${oneGo.blockMs.toFixed(0)} | ${oneGo.wallMs.toFixed(0)} | ${sliced.blockMs.toFixed(1)} | ${sliced.p99Ms.toFixed(1)} | ${sliced.wallMs.toFixed(0)} | ` +
          `${(oneGo.blockMs / sliced.blockMs).toFixed(0)}× shorter |`,
      ),
    );
  } finally {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
