/** Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): self time per function, top first. */
import * as fs from 'node:fs';
import * as path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface SelfTimeRow {
  /** `name (file:line)`, file relative to the project root. */
  where: string;
  selfMs: number;
  percent: number;
}

export interface ProfileSummary {
  totalMs: number;
  top: SelfTimeRow[];
  /** Self time grouped by area: connector/<dir>, node internals, GC, idle, ... */
  byArea: SelfTimeRow[];
}

function shortUrl(url: string, root: string): string {
  if (!url) return '';
  const file = url.startsWith('file://') ? url.slice('file://'.length) : url;
  return file.startsWith(root) ? path.relative(root, file) : file;
}

function area(name: string, file: string): string {
  if (name === '(garbage collector)') return 'GC';
  if (name === '(idle)' || name === '(program)') return name;
  if (file.startsWith('dist/connector/')) return file.split('/').slice(1, 3).join('/').replace(/\.js$/, '');
  if (file.startsWith('node:') || file === '') return 'node internals / native (JSON, strings, fetch)';
  if (file.includes('node_modules')) return `node_modules/${file.split('node_modules/')[1].split('/')[0]}`;
  return file;
}

export function summarizeProfile(file: string, root: string, topN = 20): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) self.set(samples[i], (self.get(samples[i]) ?? 0) + (deltas[i] ?? 0) / 1000);
  const perFunction = new Map<string, number>();
  const perArea = new Map<string, number>();
  let total = 0;
  for (const [id, ms] of self) {
    const node = byId.get(id);
    if (!node) continue;
    const name = node.callFrame.functionName || '(anonymous)';
    const fileRel = shortUrl(node.callFrame.url, root);
    const where = fileRel ? `${name} (${fileRel}:${node.callFrame.lineNumber + 1})` : name;
    perFunction.set(where, (perFunction.get(where) ?? 0) + ms);
    const a = area(name, fileRel);
    perArea.set(a, (perArea.get(a) ?? 0) + ms);
    total += ms;
  }
  const rows = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([where, selfMs]) => ({ where, selfMs, percent: (100 * selfMs) / total }));
  return { totalMs: total, top: rows(perFunction, topN), byArea: rows(perArea, 12) };
}
