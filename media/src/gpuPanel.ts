import type { GpuTelemetry } from '../../src/logs/nvidiaSmi';
import { element, themeColour } from './dom';

const historyLength = 60;

interface GpuHistory {
  utilization: number[];
  memory: number[];
}

/** Per node and GPU: utilisation and memory as sparklines, or why telemetry is unavailable. */
export class GpuPanel {
  private readonly history = new Map<string, GpuHistory>();
  private readonly sections = new Map<number, HTMLElement>();

  constructor(
    private readonly container: HTMLElement,
    private readonly nodeLabel: (node: number) => string,
  ) {}

  apply(node: number, reading: GpuTelemetry): void {
    const section = this.section(node);
    const heading = element('div', { className: 'gpu-node', text: this.nodeLabel(node) });
    if (reading.kind === 'unavailable') {
      section.replaceChildren(
        heading,
        element('div', { className: 'gpu-unavailable', text: `GPU telemetry unavailable: ${reading.reason}` }),
      );
      return;
    }
    const rows = reading.gpus.map((gpu) => {
      const key = `${node}:${gpu.index}`;
      const history = this.history.get(key) ?? { utilization: [], memory: [] };
      this.history.set(key, history);
      push(history.utilization, gpu.utilization ?? NaN);
      const memoryPercent = gpu.memoryUsedMiB !== undefined && gpu.memoryTotalMiB ? (100 * gpu.memoryUsedMiB) / gpu.memoryTotalMiB : NaN;
      push(history.memory, memoryPercent);
      const memoryText =
        gpu.memoryUsedMiB !== undefined && gpu.memoryTotalMiB !== undefined
          ? `${(gpu.memoryUsedMiB / 1024).toFixed(1)}/${(gpu.memoryTotalMiB / 1024).toFixed(0)} GiB`
          : 'n/a';
      return element(
        'div',
        { className: 'gpu-row', title: gpu.name },
        element('span', { className: 'gpu-name', text: `GPU ${gpu.index}` }),
        sparkline(history.utilization, '--vscode-charts-green'),
        element('span', { className: 'gpu-value', text: gpu.utilization === undefined ? 'n/a' : `${gpu.utilization}%` }),
        sparkline(history.memory, '--vscode-charts-blue'),
        element('span', { className: 'gpu-value', text: memoryText }),
      );
    });
    section.replaceChildren(heading, ...rows);
  }

  private section(node: number): HTMLElement {
    let section = this.sections.get(node);
    if (!section) {
      section = element('div', { className: 'gpu-section' });
      this.sections.set(node, section);
      const ordered = [...this.sections.entries()].sort(([a], [b]) => a - b).map(([, each]) => each);
      this.container.replaceChildren(...ordered);
    }
    return section;
  }
}

function push(values: number[], value: number): void {
  values.push(value);
  if (values.length > historyLength) values.shift();
}

/** 0–100 values as a small line on a faint track, the newest at the right edge. */
function sparkline(values: readonly number[], colourVariable: string): HTMLCanvasElement {
  const width = 80,
    height = 18,
    ratio = window.devicePixelRatio || 1;
  const canvas = element('canvas', { className: 'sparkline' });
  canvas.width = width * ratio;
  canvas.height = height * ratio;
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const latest = values[values.length - 1];
  canvas.setAttribute('aria-label', Number.isFinite(latest) ? `${Math.round(latest)}%` : 'no reading');
  const context = canvas.getContext('2d');
  if (!context) return canvas;
  context.scale(ratio, ratio);
  context.fillStyle = themeColour('--vscode-editorWidget-border', '#8884');
  context.globalAlpha = 0.35;
  context.fillRect(0, 0, width, height);
  context.globalAlpha = 1;
  context.strokeStyle = themeColour(colourVariable, '#3794ff');
  context.lineWidth = 1.5;
  context.beginPath();
  const offset = historyLength - values.length;
  const xOf = (i: number) => ((offset + i) / (historyLength - 1)) * width;
  const yOf = (value: number) => height - 1.5 - (Math.max(0, Math.min(100, value)) / 100) * (height - 3);
  values.forEach((value, i) => {
    if (!Number.isFinite(value)) return;
    if (i === 0 || !Number.isFinite(values[i - 1])) context.moveTo(xOf(i), yOf(value));
    else context.lineTo(xOf(i), yOf(value));
  });
  context.stroke();
  // A lone reading has no segment to stroke: mark it with a dot.
  if (values.length === 1 && Number.isFinite(latest)) {
    context.fillStyle = context.strokeStyle;
    context.beginPath();
    context.arc(width - 2, yOf(latest), 1.5, 0, 2 * Math.PI);
    context.fill();
  }
  return canvas;
}
