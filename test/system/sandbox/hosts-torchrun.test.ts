import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startSimulatedHosts, type SimulatedHosts } from '../../sandbox/hosts';
import { randomLoopbackPrefix } from '../../sandbox/hosts/loopback';
import { runOverSsh } from '../../sandbox/hosts/ssh-command';

// All-reduce of rank + 1 over both ranks, then one DDP step on different data (and different initial
// weights, which DDP replaces with rank 0's): both ranks must end with the same weights.
const DDP_CHECK = `
import socket, torch, torch.distributed as dist
dist.init_process_group("gloo")
rank, world = dist.get_rank(), dist.get_world_size()
total = torch.tensor([float(rank + 1)])
dist.all_reduce(total)
torch.manual_seed(rank)
model = torch.nn.parallel.DistributedDataParallel(torch.nn.Linear(4, 1))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
model(torch.randn(8, 4)).sum().backward()
optimizer.step()
weights = torch.cat([p.detach().flatten() for p in model.parameters()])
gathered = [torch.zeros_like(weights) for _ in range(world)]
dist.all_gather(gathered, weights)
same = all(torch.equal(gathered[0], other) for other in gathered)
print(f"rank={rank} world={world} host={socket.gethostname()} sum={total.item()} same_weights={same}", flush=True)
dist.destroy_process_group()
`;

describe('multi-node torchrun across simulated hosts', function () {
  // A cap, not an expectation: the test waits for both torchrun processes to exit.
  this.timeout(300_000);
  let hosts: SimulatedHosts;

  before(async function () {
    const prefix = randomLoopbackPrefix();
    hosts = await startSimulatedHosts(
      [
        { name: 'train-node0', address: `${prefix}2`, gpu: { model: 'Tesla T4', count: 1, memoryMiB: 15360 } },
        { name: 'train-node1', address: `${prefix}3`, gpu: { model: 'Tesla T4', count: 1, memoryMiB: 15360 } },
      ],
      { stateDir: fs.mkdtempSync(path.join(os.tmpdir(), 'hosts-torchrun-')) },
    );
  });

  after(async () => {
    await hosts?.dispose();
  });

  it('runs a two-node DDP job with the c10d rendezvous on the first host', async function () {
    // Without root the hosts share one hostname and /etc/hosts: node names do not resolve.
    if (!hosts.isolated) this.skip();
    // A port of its own: every host shares this machine's ports, and other runs may use 29500.
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    const torchrun = [
      'torchrun --nnodes=2 --nproc_per_node=1 --rdzv_backend=c10d',
      `--rdzv_endpoint=train-node0:${port} --rdzv_id=${randomBytes(4).toString('hex')} --max_restarts=0`,
      'ddp_check.py',
    ].join(' ');
    const results = await Promise.all(
      ['train-node0', 'train-node1'].map((name) =>
        runOverSsh(hosts, name, `cat > ddp_check.py && PYTHONUNBUFFERED=1 ${torchrun}`, { input: DDP_CHECK }),
      ),
    );
    const lines = results.map((result, node) => {
      assert.equal(result.code, 0, `node ${node} failed:\n${result.stdout}\n${result.stderr}`);
      const line = result.stdout.split('\n').find((text) => text.startsWith('rank='));
      assert.ok(line, `node ${node} printed no result:\n${result.stdout}\n${result.stderr}`);
      return line;
    });
    assert.deepEqual(lines.map((line) => line.replace(/^rank=\d /, '')).sort(), [
      'world=2 host=train-node0 sum=3.0 same_weights=True',
      'world=2 host=train-node1 sum=3.0 same_weights=True',
    ]);
    assert.deepEqual(lines.map((line) => line.slice(0, 'rank=0'.length)).sort(), ['rank=0', 'rank=1']);
  });
});
