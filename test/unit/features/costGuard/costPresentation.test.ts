import * as assert from 'assert';
import {
  formatHourly,
  formatRunning,
  spendSince,
  statusBarText,
  statusBarTooltipLines,
  vmCostParts,
  vmCostTooltipRows,
  type VmCost,
} from '../../../../src/features/costGuard/costPresentation';

const now = new Date(2026, 0, 10, 14, 0, 0);
const a100: VmCost = { name: 'gpu-a100-1', hourly: 3.4, spot: false };
const spotH100: VmCost = {
  name: 'gpu-h100',
  hourly: 12.5,
  spot: true,
  runningSince: new Date(2026, 0, 10, 12, 0, 0),
  activity: 'training',
};
const unpriced: VmCost = { name: 'gpu-odd', spot: false };

describe('cost presentation', () => {
  it('formats hourly prices, cents for a dollar and more, two significant digits under one', () => {
    assert.strictEqual(formatHourly(3.4), '$ 3.40/h');
    assert.strictEqual(formatHourly(21.404), '$ 21.40/h');
    assert.strictEqual(formatHourly(0.0523), '$ 0.052/h');
  });

  it('formats running time in minutes, hours and days', () => {
    assert.strictEqual(formatRunning(45 * 60_000 + 59_000), '45 min');
    assert.strictEqual(formatRunning((3 * 60 + 5) * 60_000), '3 h 05 min');
    assert.strictEqual(formatRunning((52 * 60 + 1) * 60_000), '2 d 4 h');
  });

  it('spends the hourly price over the time since the start', () => {
    assert.strictEqual(spendSince(12.5, new Date(now.getTime() - 90 * 60_000), now), 18.75);
    assert.strictEqual(spendSince(12.5, new Date(now.getTime() + 60_000), now), 0);
  });

  it('sums the running GPU VMs in the status bar, "+" when a price is unknown, nothing when none runs', () => {
    assert.strictEqual(statusBarText([a100, spotH100]), '$ 15.90/h · 2 GPU VMs');
    assert.strictEqual(statusBarText([a100]), '$ 3.40/h · 1 GPU VM');
    assert.strictEqual(statusBarText([a100, unpriced]), '$ 3.40/h+ · 2 GPU VMs');
    assert.strictEqual(statusBarText([unpriced]), '1 GPU VM');
    assert.strictEqual(statusBarText([]), undefined);
  });

  it('lists each VM in the tooltip: price, state, spend since its start, policy', () => {
    assert.deepStrictEqual(statusBarTooltipLines([spotH100, { ...unpriced, policy: 'auto-deallocate after 30 min idle' }], now), [
      'gpu-h100 — $ 12.50/h spot · training · $ 25.00 since 12:00',
      'gpu-odd — price unknown · auto-deallocate after 30 min idle',
    ]);
  });

  it('gives the VM node its price, time up and policy, and nothing for what is unknown', () => {
    assert.deepStrictEqual(vmCostParts({ ...spotH100, policy: 'auto-deallocate after 30 min idle' }, now), [
      '$ 12.50/h spot',
      'up 2 h 00 min',
      'auto-deallocate after 30 min idle',
    ]);
    assert.deepStrictEqual(vmCostParts(unpriced, now), []);
    assert.deepStrictEqual(vmCostTooltipRows(spotH100, now), [
      ['Price', '$ 12.50/h (spot, Linux retail)'],
      ['Running for', '2 h 00 min, $ 25.00 so far'],
      ['Auto-deallocate', 'off (Auto-Deallocate When Idle… turns it on)'],
    ]);
  });
});
