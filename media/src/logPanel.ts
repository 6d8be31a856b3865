// The log panel's front end. It talks to the extension host only through typed messages.
import type { JobLogDescription } from '../../src/logs/jobLogDescription';
import type { FailureInfo, HostMessage, LineFilter, NodeStatus, RankRef, RowData, SearchDirection } from '../../src/logs/panelMessages';
import { mapRemotePath } from '../../src/logs/pathMapping';
import { rankLabel } from '../../src/logs/rankLabel';
import { byId, element } from './dom';
import { GpuPanel } from './gpuPanel';
import { MetricCharts } from './metricCharts';
import { VirtualLog } from './virtualLog';
import { vscode } from './vscodeApi';

let job: JobLogDescription | undefined = vscode.getState()?.job;
let filter: LineFilter = {};
let ranks: RankRef[] = [];
let requestId = 0;
let pendingSearch: { id: number; query: string } | undefined;
const pendingByNode = new Map<number, string>();

const frameLink = /^(.*File ")([^"]+)(", line )(\d+)(.*)$/;

const log = new VirtualLog(byId('log'), {
  requestRows: (start, count) => vscode.postMessage({ type: 'rows', requestId: ++requestId, start, count }),
  sourceLink(text) {
    const match = frameLink.exec(text);
    if (!match || !job?.workspace) return undefined;
    const localPath = mapRemotePath(match[2], job.workspace);
    if (!localPath) return undefined;
    return { before: match[1], path: match[2], after: match[3] + match[4] + match[5], localPath, line: Number(match[4]) };
  },
  openSource: (path, line) => vscode.postMessage({ type: 'openSource', path, line }),
  labelOf: (row) => rowLabel(row),
  colourOf: (row) =>
    row.node * 8 +
    Math.max(
      0,
      ranks.findIndex((worker) => sameWorker(worker, row)),
    ),
});

const charts = new MetricCharts(
  byId('charts'),
  byId('metric-chooser'),
  byId('metric-summary'),
  vscode.getState()?.hiddenMetrics ?? [],
  (hiddenMetrics) => {
    if (job) vscode.setState({ job, hiddenMetrics });
  },
);
const gpus = new GpuPanel(byId('gpus'), (node) => nodeLabel(node));

function nodeLabel(node: number): string {
  return job?.nodes[node]?.machine.label ?? `node ${node}`;
}

/** `rank 3 (node 1)`: the worker's rank, with its node on a multi-node job. */
function workerLabel(node: number, rank: string): string {
  return rankLabel(node, rank, job?.nodes.length ?? 1);
}

function rowLabel(row: RowData): string {
  // A line no worker printed (torchrun's own) is labelled with its machine on a multi-node job.
  if (row.rank === '') return (job?.nodes.length ?? 1) > 1 ? nodeLabel(row.node) : '';
  return workerLabel(row.node, row.rank);
}

function sameWorker(a: RankRef, b: RankRef): boolean {
  return a.node === b.node && a.rank === b.rank;
}

window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
  const message = event.data;
  switch (message.type) {
    case 'init':
      job = message.job;
      vscode.setState({ job, hiddenMetrics: vscode.getState()?.hiddenMetrics });
      byId('title').textContent = job.title;
      filter = message.filter;
      renderFilter();
      log.update(message.version, message.total, []);
      break;
    case 'lines':
      filter = message.filter;
      log.update(message.version, message.total, message.tail);
      renderFilter();
      break;
    case 'rows':
      log.receiveRows(message.version, message.start, message.rows);
      break;
    case 'pending':
      pendingByNode.set(message.node, message.text);
      updatePending();
      break;
    case 'ranks':
      ranks = message.ranks;
      renderFilter();
      break;
    case 'metrics':
      charts.apply(message.updates, message.replace);
      byId('insights').classList.toggle('has-metrics', charts.metricCount > 0);
      break;
    case 'gpu':
      gpus.apply(message.node, message.reading);
      break;
    case 'status':
      renderStatus(message.nodes, message.summary, message.ended);
      break;
    case 'failures':
      failures.length = message.from;
      failures.push(...message.failures);
      renderFailures(message.total, message.rootCause);
      break;
    case 'searchResult':
      if (pendingSearch?.id !== message.requestId) break;
      byId('search-info').textContent = message.position === -1 ? 'No results' : '';
      if (message.position !== -1) log.reveal(message.position);
      break;
    case 'reveal':
      log.reveal(message.position);
      break;
  }
});

function updatePending(): void {
  const allowed = (node: number) => !filter.nodes || filter.nodes.includes(node);
  log.setPending([...pendingByNode.entries()].filter(([node]) => allowed(node)).map(([node, text]) => ({ node, text })));
}

// Search
const searchBox = byId('search', HTMLInputElement);
function search(direction: SearchDirection): void {
  const query = searchBox.value;
  log.setHighlight(query);
  if (query === '') {
    byId('search-info').textContent = '';
    return;
  }
  const from = log.currentPosition >= 0 ? log.currentPosition : direction === 'next' ? log.firstVisible - 1 : log.firstVisible;
  pendingSearch = { id: ++requestId, query };
  vscode.postMessage({ type: 'search', requestId: pendingSearch.id, query, from, direction });
}
searchBox.addEventListener('keydown', (event) => {
  if (event.key === 'Enter') search(event.shiftKey ? 'previous' : 'next');
  if (event.key === 'Escape') {
    searchBox.value = '';
    log.setHighlight('');
  }
});
searchBox.addEventListener('input', () => log.setHighlight(searchBox.value));
byId('next').addEventListener('click', () => search('next'));
byId('previous').addEventListener('click', () => search('previous'));
window.addEventListener('keydown', (event) => {
  if ((event.ctrlKey || event.metaKey) && event.key === 'f') {
    event.preventDefault();
    searchBox.focus();
    searchBox.select();
  }
  if (event.key === 'F3') search(event.shiftKey ? 'previous' : 'next');
});

// Follow, save, open as text
const followButton = byId('follow', HTMLButtonElement);
function renderFollow(following: boolean): void {
  followButton.setAttribute('aria-pressed', String(following));
  const icon = document.createElement('i');
  icon.className = `codicon ${following ? 'codicon-play' : 'codicon-debug-pause'}`;
  followButton.replaceChildren(icon, following ? ' Following' : ' Paused');
  followButton.title = following ? 'Scroll up to pause' : 'Jump to the end and follow new lines';
}
log.onFollowChange = renderFollow;
renderFollow(true);
followButton.addEventListener('click', () => log.setFollowing(!log.isFollowing));
byId('save').addEventListener('click', () => vscode.postMessage({ type: 'saveLog' }));
byId('open-text').addEventListener('click', () => vscode.postMessage({ type: 'openAsText' }));

// Filter by node and rank
function renderFilter(): void {
  const nodes = job?.nodes.map((_, node) => node) ?? [];
  const nodeBoxes =
    nodes.length > 1
      ? nodes.map((node) =>
          checkbox(nodeLabel(node), !filter.nodes || filter.nodes.includes(node), (checked) => {
            const current = new Set(filter.nodes ?? nodes);
            if (checked) current.add(node);
            else current.delete(node);
            sendFilter({ ...filter, nodes: current.size === nodes.length ? undefined : [...current].sort() });
          }),
        )
      : [];
  const rankBoxes =
    ranks.length > 1
      ? ranks.map((worker) =>
          checkbox(
            workerLabel(worker.node, worker.rank) || '(no rank)',
            !filter.ranks || filter.ranks.some((allowed) => sameWorker(allowed, worker)),
            (checked) => {
              const current = (filter.ranks ?? ranks).filter((allowed) => !sameWorker(allowed, worker));
              if (checked) current.push(worker);
              sendFilter({ ...filter, ranks: current.length === ranks.length ? undefined : current });
            },
          ),
        )
      : [];
  byId('filter-nodes').replaceChildren(...nodeBoxes);
  byId('filter-ranks').replaceChildren(...rankBoxes);
  byId('filter').hidden = nodeBoxes.length === 0 && rankBoxes.length === 0;
  byId('filter-summary').textContent = filter.nodes || filter.ranks ? 'Filter (on)' : 'Filter';
}

function checkbox(label: string, checked: boolean, onChange: (checked: boolean) => void): HTMLElement {
  const box = element('input', { attributes: { type: 'checkbox' } });
  box.checked = checked;
  box.addEventListener('change', () => onChange(box.checked));
  return element('label', {}, box, document.createTextNode(label));
}

function sendFilter(next: LineFilter): void {
  filter = next;
  updatePending();
  vscode.postMessage({ type: 'filter', filter: next });
}

// Status and failures
function renderStatus(nodes: readonly NodeStatus[], summary: string, ended: boolean): void {
  const status = byId('status');
  status.className = !ended
    ? 'running'
    : nodes.some((node) => node.cancelled)
      ? 'cancelled'
      : summary.startsWith('Succeeded')
        ? 'succeeded'
        : 'failed';
  const badges =
    nodes.length > 1 || nodes.some((node) => node.state !== 'following' && node.state !== 'ended')
      ? nodes.map((node) =>
          element('span', { className: `node-state ${node.state}`, text: `${node.label}: ${node.state}`, title: node.detail ?? '' }),
        )
      : [];
  status.replaceChildren(element('span', { className: 'summary', text: summary }), ...badges);
}

/** The failures the host has sent (it keeps and sends only the first ones of a job). */
const failures: FailureInfo[] = [];

function renderFailures(total: number, rootCause: number): void {
  const container = byId('failures');
  container.hidden = total === 0;
  const cause = failures[rootCause];
  const ordered = cause ? [cause, ...failures.filter((failure) => failure !== cause)] : failures;
  const count =
    total > 5 ? [element('div', { className: 'failure-count', text: `${total.toLocaleString()} failures (the first shown)` })] : [];
  container.replaceChildren(
    ...count,
    ...ordered.slice(0, 5).map((failure) => {
      const where = failure.rank ? workerLabel(failure.node, failure.rank) : nodeLabel(failure.node);
      const show = element('a', { text: 'Show in log', attributes: { href: '#' } });
      show.addEventListener('click', (event) => {
        event.preventDefault();
        vscode.postMessage({ type: 'revealLine', line: failure.line });
      });
      const userFrame = [...failure.frames].reverse().find((frame) => frame.localPath);
      const links: Node[] = [show];
      if (userFrame?.localPath) {
        const open = element('a', {
          text: `${userFrame.path.split('/').pop()}:${userFrame.line}`,
          title: userFrame.localPath,
          attributes: { href: '#' },
        });
        const localPath = userFrame.localPath;
        open.addEventListener('click', (event) => {
          event.preventDefault();
          vscode.postMessage({ type: 'openSource', path: localPath, line: userFrame.line });
        });
        links.push(open);
      }
      const chain = failure.chain?.length
        ? [
            element(
              'details',
              { className: 'failure-chain' },
              element('summary', {
                text: `while handling ${failure.chain.length === 1 ? 'an earlier exception' : `${failure.chain.length} earlier exceptions`}`,
              }),
              ...failure.chain.map((earlier) => element('pre', { text: earlier })),
            ),
          ]
        : [];
      return element(
        'div',
        { className: failure === cause ? 'failure-item root-cause' : 'failure-item' },
        element('span', { className: 'failure-title', text: `${failure.title} (${where})` }),
        element('span', { className: 'failure-summary', text: failure.summary, title: failure.summary }),
        element('span', { className: 'failure-links' }, ...links),
        ...chain,
      );
    }),
  );
}

vscode.postMessage({ type: 'ready' });
