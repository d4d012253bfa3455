/**
 * The latency-bound section of `npm run bench` (issue 11): against the emulator with its latency
 * model on (300 ms + 0.017 ms per cell, integration_tests/emulator/service.ts), how fast each
 * client reads compared with the sequential bound, the sum of the page latencies the emulator
 * charges for one page after another.
 *
 * Workloads: (1) three entities of 30,000 rows, full refresh; (2) one entity of 60,000 rows, full
 * refresh; (3) the first incremental sync of a change-tracked entity of 60,000 rows, then updates,
 * deletes and inserts and a second read that must return exactly those; (4) a full refresh under
 * a tight execution-time budget. Every run's record ids are checked: each row exactly once.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createDefaultWorld, startEmulator, type Emulator, type RequestLogEntry } from '../integration_tests/emulator';
import { entityColumns, resolveSelect } from '../integration_tests/emulator/columns';
import { cellsServerMs, DEFAULT_LATENCY } from '../integration_tests/emulator/service';
import { maxInFlight, retryAfterViolations } from '../integration_tests/helpers/service-limits';
import type { ChildSpec } from './children/child-spec';
import { jsonLines, measure } from './lib/measure';
import { int, mdTable, ratio, secs, type Cell } from './lib/report';
import { barChart } from './lib/svg-chart';
import { killResumeBench, type KillResults } from './kill-resume';

/** What the section needs from run.ts. */
export interface LatencyContext {
  root: string;
  bin: string;
  node: string;
  dir: string;
  env: NodeJS.ProcessEnv;
  fail(message: string): void;
  say(text: string): void;
}

export type LatencyClient = 'connector' | 'connector, max_parallel_requests: 1' | 'dynamics-web-api' | 'sequential bound';

/** One client's run of one workload. */
export interface LatencyRun {
  client: LatencyClient;
  wallMs: number;
  records: number;
  orgRequests: number;
  maxInFlight: number;
  throttled: number;
  retryAfterViolations: number;
  /** Every row exactly once (workload 3: and the second read exactly the changes). */
  exact: boolean;
  /** Workload 3: the second read. */
  second?: { wallMs: number; records: number };
}

export interface LatencyWorkload {
  id: 1 | 2 | 3 | 4;
  title: string;
  entities: string[];
  rows: number;
  /** Columns per row the emulator charged, by entity (the connector's `$select` as resolved). */
  columns: Record<string, number>;
  /** The sum of the page latencies of one sequential read (the model's times). */
  boundMs: number;
  runs: LatencyRun[];
}

export interface LatencyResults {
  model: { baseMs: number; perCellMs: number };
  dopHint: number;
  /** Whether spec.yaml has `max_parallel_requests` (else the second connector row runs with defaults). */
  hasMaxParallel: boolean;
  budget: { budgetMs: number; windowMs: number };
  workloads: LatencyWorkload[];
  /** Workload 5: SIGKILLs during workload 1's read, each resumed from its last STATEs. */
  kills?: KillResults;
}

const PAGE = 5000;
const TIGHT = { budgetMs: 6000, windowMs: 10_000 };
const CHANGES = { updates: 300, deletes: 100, inserts: 200 };

/** Workload definitions: entities and rows per entity. */
const WORKLOADS: Array<Omit<LatencyWorkload, 'boundMs' | 'runs' | 'rows' | 'columns'> & { perEntity: number; incremental?: boolean }> = [
  // Mid-width entities of the default world (11-17 columns, pages of 1.2-1.8 s): the section's
  // sequential clients stay within about three minutes; the 22-column account would double that.
  { id: 1, title: 'three entities of 30,000 rows, full refresh', entities: ['opportunity', 'sample_bankaccount', 'appointment'], perEntity: 30_000 },
  { id: 2, title: 'one entity of 60,000 rows, full refresh', entities: ['appointment'], perEntity: 60_000 },
  { id: 3, title: 'first incremental sync of a change-tracked entity of 60,000 rows', entities: ['opportunity'], perEntity: 60_000, incremental: true },
  { id: 4, title: `30,000 rows under an execution budget of ${TIGHT.budgetMs / 1000} s per ${TIGHT.windowMs / 1000} s`, entities: ['appointment'], perEntity: 30_000 },
];

/** Whether the connector's spec declares the field (added by the gate work of issue 11). */
function specHasMaxParallel(root: string): boolean {
  return /^\s+max_parallel_requests:/m.test(fs.readFileSync(path.join(root, 'spec.yaml'), 'utf8'));
}

/** Ids seen per stream in a run's RECORD lines, and which came as deletions. */
export class IdCollector {
  readonly counts = new Map<string, Map<string, number>>();
  readonly deleted = new Set<string>();
  readonly stateLines: string[] = [];
  records = 0;

  constructor(private readonly keys: Record<string, string>) {}

  line(line: string): void {
    if (line.startsWith('{"type":"STATE"')) this.stateLines.push(line);
    if (!line.startsWith('{"type":"RECORD"')) return;
    this.records++;
    const stream = /"stream":"([^"]+)"/.exec(line)?.[1] ?? '';
    const key = this.keys[stream];
    const at = key === undefined ? -1 : line.indexOf(`"${key}":"`);
    const id = at < 0 ? `(no ${key ?? 'key'} in a ${stream} record)` : line.slice(at + key.length + 4, at + key.length + 40);
    const ids = this.counts.get(stream) ?? new Map<string, number>();
    ids.set(id, (ids.get(id) ?? 0) + 1);
    this.counts.set(stream, ids);
    if (/"_ab_cdc_deleted_at":"/.test(line)) this.deleted.add(id);
  }

  /** A description of how the ids differ from `expected` (each exactly once), or undefined when they match. */
  mismatch(stream: string, expected: readonly string[]): string | undefined {
    const seen = this.counts.get(stream) ?? new Map<string, number>();
    const twice = [...seen].filter(([, n]) => n > 1).length;
    const want = new Set(expected);
    const missing = expected.filter((id) => !seen.has(id)).length;
    const extra = [...seen.keys()].filter((id) => !want.has(id)).length;
    if (twice === 0 && missing === 0 && extra === 0) return undefined;
    return `${stream}: ${missing} of ${expected.length} ids missing, ${extra} unexpected, ${twice} more than once`;
  }
}

/** The columns the emulator charges for `select` on `entity` (it adds the primary key, and the currency of money). */
function chargedColumns(emu: Emulator, entity: string, select: string[]): number {
  const def = emu.world.org.entities[entity];
  const selection = resolveSelect(def, entityColumns(def), select.length > 0 ? select.join(',') : null);
  if ('error' in selection) throw new Error(`bench: the connector's $select of ${entity} does not resolve: ${selection.error}`);
  return selection.columns.length;
}

/** The sum of the modelled page latencies of reading `rows` rows of `columns` columns, one page after another. */
function sequentialBoundMs(emu: Emulator, columns: number, rows: number): number {
  const model = emu.service.latency ?? DEFAULT_LATENCY;
  let total = 0;
  for (let left = rows; left > 0; left -= PAGE) total += cellsServerMs(model, Math.min(PAGE, left) * columns);
  return total;
}

const orgLog = (emu: Emulator, from: number): RequestLogEntry[] => emu.log.slice(from).filter((e) => e.target === 'org');

/** The widest `$select` the connector sent to an entity set: its data read (partitions and narrow passes aside). */
function connectorSelect(log: RequestLogEntry[], setName: string): string[] | undefined {
  let best: string[] | undefined;
  for (const e of log) {
    if (e.method !== 'GET' || !e.path.startsWith(`/api/data/v9.2/${setName}?`)) continue;
    const select = (new URL(`https://x${e.path}`).searchParams.get('$select') ?? '').split(',').filter(Boolean);
    if (!best || select.length > best.length) best = select;
  }
  return best;
}

interface Files {
  config: string;
  configOne: string;
  catalog: string;
}

/** Config (both variants) and catalog for a workload; discover runs with the latency model off (it is not measured). */
async function prepare(ctx: LatencyContext, emu: Emulator, w: (typeof WORKLOADS)[number], hasMaxParallel: boolean): Promise<Files> {
  const write = (name: string, value: unknown) => {
    const file = path.join(ctx.dir, `latency-${w.id}-${name}.json`);
    fs.writeFileSync(file, JSON.stringify(value));
    return file;
  };
  const config = write('config', emu.config({ entities: w.entities }));
  const configOne = write('config-1', emu.config({ entities: w.entities, ...(hasMaxParallel ? { max_parallel_requests: 1 } : {}) }));
  const latency = emu.service.latency;
  emu.service.latency = null;
  const discover = await measure({ label: 'discover', args: [ctx.node, ctx.bin, 'discover', '--config', config], cwd: ctx.root, env: ctx.env, stdout: 'keep' });
  emu.service.latency = latency;
  if (discover.code !== 0) throw new Error(`latency workload ${w.id}: discover exited with ${discover.code}: ${discover.stderr.slice(-500)}`);
  const streams: Array<{ name: string }> = jsonLines(discover.stdoutText).find((m) => m.type === 'CATALOG')?.catalog?.streams ?? [];
  const mode = w.incremental ? { sync_mode: 'incremental', destination_sync_mode: 'append' } : { sync_mode: 'full_refresh', destination_sync_mode: 'overwrite' };
  const chosen = w.entities.map((name) => {
    const stream = streams.find((s) => s.name === name);
    if (!stream) throw new Error(`latency workload ${w.id}: discover has no stream ${name}`);
    return { stream, ...mode };
  });
  return { config, configOne, catalog: write('catalog', { streams: chosen }) };
}

/** Runs one client over the workload's tables; returns its run and the ids it wrote. */
async function runOnce(ctx: LatencyContext, emu: Emulator, client: LatencyClient, args: string[], keys: Record<string, string>): Promise<{ run: LatencyRun; ids: IdCollector; log: RequestLogEntry[] }> {
  const ids = new IdCollector(keys);
  const from = emu.log.length;
  const r = await measure({ label: client, args, cwd: ctx.root, env: ctx.env, stdout: 'count', onLine: (line) => ids.line(line) });
  const log = orgLog(emu, from);
  if (r.code !== 0) ctx.fail(`latency: ${client} exited with ${r.code ?? r.signal}: ${r.stderr.trim().slice(-600)}`);
  const run: LatencyRun = {
    client,
    wallMs: r.wallMs,
    records: ids.records,
    orgRequests: log.length,
    maxInFlight: maxInFlight(log),
    throttled: log.filter((e) => e.status === 429).length,
    retryAfterViolations: retryAfterViolations(log).length,
    exact: r.code === 0,
  };
  return { run, ids, log };
}

/** Fails the run (and the bench) unless every stream's ids are exactly the expected ones. */
function checkIds(ctx: LatencyContext, run: LatencyRun, ids: IdCollector, expected: Record<string, string[]>, what: string): void {
  for (const [stream, list] of Object.entries(expected)) {
    const problem = ids.mismatch(stream, list);
    if (problem) {
      run.exact = false;
      ctx.fail(`latency ${what}, ${run.client}: ${problem}`);
    }
  }
}

function allIds(emu: Emulator, entity: string): string[] {
  const n = emu.tables.count(entity);
  return Array.from({ length: n }, (_, i) => emu.tables.idAt(entity, i));
}

/** Workload 3's second read: exactly the updated, inserted and deleted rows, deletions marked. */
async function secondRead(ctx: LatencyContext, emu: Emulator, run: LatencyRun, args: string[], first: IdCollector, entity: string, keys: Record<string, string>): Promise<void> {
  const stateFile = path.join(ctx.dir, `latency-state-${run.client.length}.jsonl`);
  fs.writeFileSync(stateFile, `${first.stateLines.join('\n')}\n`);
  const n = emu.tables.count(entity);
  const updated = emu.tables.update(entity, Array.from({ length: CHANGES.updates }, (_, k) => emu.tables.idAt(entity, (k * 197) % n)));
  const deleted = emu.tables.delete(entity, Array.from({ length: CHANGES.deletes }, (_, k) => emu.tables.idAt(entity, (k * 389 + 11) % n)).filter((id) => !updated.includes(id)));
  const inserted = emu.tables.insert(entity, CHANGES.inserts);
  const { run: again, ids } = await runOnce(ctx, emu, run.client, [...args, '--state', stateFile], keys);
  run.second = { wallMs: again.wallMs, records: again.records };
  checkIds(ctx, run, ids, { [entity]: [...updated, ...inserted, ...deleted] }, 'workload 3 second read');
  const wrongDeletes = [...ids.deleted].filter((id) => !deleted.includes(id)).length + deleted.filter((id) => !ids.deleted.has(id)).length;
  if (wrongDeletes > 0) {
    run.exact = false;
    ctx.fail(`latency workload 3 second read, ${run.client}: ${wrongDeletes} ids marked deleted wrongly or deletions missing`);
  }
}

/** One workload, every client; tables are defined afresh before each client. */
async function workload(ctx: LatencyContext, emu: Emulator, w: (typeof WORKLOADS)[number], hasMaxParallel: boolean): Promise<LatencyWorkload> {
  const define = () => {
    for (const entity of w.entities) emu.tables.define(entity, { rowCount: w.perEntity });
  };
  define();
  const files = await prepare(ctx, emu, w, hasMaxParallel);
  const keys = Object.fromEntries(w.entities.map((e) => [e, emu.world.org.entities[e].primaryIdAttribute]));
  const connectorArgs = (config: string) => [ctx.node, ctx.bin, 'read', '--config', config, '--catalog', files.catalog];
  const clients: Array<[LatencyClient, string[]]> = [['connector', connectorArgs(files.config)]];
  if (w.id !== 4) clients.push(['connector, max_parallel_requests: 1', connectorArgs(files.configOne)]);
  const out: LatencyWorkload = { id: w.id, title: w.title, entities: w.entities, rows: w.perEntity * w.entities.length, columns: {}, boundMs: 0, runs: [] };
  let selects: Record<string, string[]> = {};
  for (const [client, args] of clients) {
    define();
    const { run, ids, log } = await runOnce(ctx, emu, client, args, keys);
    if (client === 'connector') selects = Object.fromEntries(w.entities.map((e) => [e, connectorSelect(log, emu.world.org.entities[e].entitySetName!) ?? []]));
    checkIds(ctx, run, ids, Object.fromEntries(w.entities.map((e) => [e, allIds(emu, e)])), `workload ${w.id}`);
    if (w.incremental) await secondRead(ctx, emu, run, args, ids, w.entities[0], keys);
    out.runs.push(run);
    ctx.say(`  latency ${w.id} ${client.padEnd(36)} ${secs(run.wallMs)} s, ${int(run.records)} records, ${run.orgRequests} org requests, max ${run.maxInFlight} in flight, ${run.throttled} x 429${run.second ? `; second read ${secs(run.second.wallMs)} s, ${run.second.records} records` : ''}`);
  }
  out.columns = Object.fromEntries(w.entities.map((e) => [e, chargedColumns(emu, e, selects[e])]));
  out.boundMs = w.entities.reduce((sum, e) => sum + sequentialBoundMs(emu, out.columns[e], w.perEntity), 0);
  if (!w.incremental && w.id !== 4) out.runs.push(await dwaRun(ctx, emu, w, selects, keys, define));
  return out;
}

/** dynamics-web-api `retrieveAll`, one entity after another, with the connector's `$select`. */
async function dwaRun(ctx: LatencyContext, emu: Emulator, w: (typeof WORKLOADS)[number], selects: Record<string, string[]>, keys: Record<string, string>, define: () => void): Promise<LatencyRun> {
  define();
  const cfg = emu.config();
  const specs: ChildSpec[] = w.entities.map((e) => ({
    stream: e,
    orgUrl: emu.orgUrl,
    entitySet: emu.world.org.entities[e].entitySetName!,
    select: selects[e],
    pageSize: PAGE,
    firstUrl: '',
    headers: {},
    token: { url: `${cfg.authority_host}/${cfg.tenant_id}/oauth2/v2.0/token`, clientId: cfg.client_id, clientSecret: cfg.client_secret, scope: `${emu.orgUrl}/.default` },
  }));
  const specFile = path.join(ctx.dir, `latency-${w.id}-dwa.json`);
  fs.writeFileSync(specFile, JSON.stringify(specs));
  const { run, ids } = await runOnce(ctx, emu, 'dynamics-web-api', [ctx.node, path.join(__dirname, 'children', 'dwa.js'), specFile], keys);
  checkIds(ctx, run, ids, Object.fromEntries(w.entities.map((e) => [e, allIds(emu, e)])), `workload ${w.id}`);
  ctx.say(`  latency ${w.id} ${'dynamics-web-api'.padEnd(36)} ${secs(run.wallMs)} s, ${int(run.records)} records, ${run.orgRequests} org requests`);
  return run;
}

/** The whole section: one emulator with the latency model on, the four workloads. */
export async function latencyBench(ctx: LatencyContext): Promise<LatencyResults> {
  const emu = await startEmulator({ world: createDefaultWorld(), service: { latency: true } });
  const hasMaxParallel = specHasMaxParallel(ctx.root);
  try {
    const { baseMs, perCellMs } = emu.service.latency ?? DEFAULT_LATENCY;
    ctx.say(`latency-bound section: ${baseMs} ms + ${perCellMs} ms per cell, dop hint ${emu.service.dopHint}; max_parallel_requests ${hasMaxParallel ? 'in spec.yaml' : 'not in spec.yaml yet (second connector row runs with defaults)'}`);
    const results: LatencyResults = { model: { baseMs, perCellMs }, dopHint: emu.service.dopHint, hasMaxParallel, budget: TIGHT, workloads: [] };
    for (const w of WORKLOADS) {
      const tight = w.id === 4;
      const saved = { budget: emu.service.executionBudgetMs, window: emu.service.executionWindowMs };
      if (tight) Object.assign(emu.service, { executionBudgetMs: TIGHT.budgetMs, executionWindowMs: TIGHT.windowMs });
      try {
        results.workloads.push(await workload(ctx, emu, w, hasMaxParallel));
      } finally {
        Object.assign(emu.service, { executionBudgetMs: saved.budget, executionWindowMs: saved.window });
      }
    }
    results.kills = await killWorkload(ctx, emu, results, hasMaxParallel);
    return results;
  } finally {
    await emu.close();
  }
}

/** Workload 5 on workload 1's tables and files; kill moments drawn over the connector's own read time there. */
async function killWorkload(ctx: LatencyContext, emu: Emulator, results: LatencyResults, hasMaxParallel: boolean): Promise<KillResults> {
  const w = WORKLOADS[0];
  const define = () => {
    for (const entity of w.entities) emu.tables.define(entity, { rowCount: w.perEntity });
  };
  define();
  const files = await prepare(ctx, emu, w, hasMaxParallel);
  const keys = Object.fromEntries(w.entities.map((e) => [e, emu.world.org.entities[e].primaryIdAttribute]));
  const fullMs = connectorRun(results.workloads.find((x) => x.id === 1))?.wallMs ?? 10_000;
  return killResumeBench(ctx, emu, define, files, keys, fullMs);
}

// ---------------------------------------------------------------------------------------------
// Report

/** A pass/fail line of the acceptance table. */
export interface LatencyBar {
  name: string;
  value: string;
  pass: boolean | undefined;
}

const speedUp = (w: LatencyWorkload, run: LatencyRun | undefined) => (run ? w.boundMs / run.wallMs : undefined);
const connectorRun = (w: LatencyWorkload | undefined) => w?.runs.find((r) => r.client === 'connector');

/** The issue 11 bars measured by this section. */
export function latencyBars(r: LatencyResults): LatencyBar[] {
  const byId = (id: number) => r.workloads.find((w) => w.id === id);
  const ratioBar = (id: number, min: number, what: string): LatencyBar => {
    const w = byId(id);
    const x = w ? speedUp(w, connectorRun(w)) : undefined;
    return { name: `latency ${id}: ${what} >= ${min}x faster than the sequential bound`, value: x === undefined ? 'n/a' : ratio(x), pass: x === undefined ? undefined : x >= min };
  };
  const runs = r.workloads.flatMap((w) => w.runs.map((run) => ({ w, run })));
  const connectorRuns = runs.filter(({ run }) => run.client.startsWith('connector'));
  const within = connectorRuns.filter(({ w }) => w.id !== 4);
  const tight = connectorRun(byId(4));
  return [
    ratioBar(1, 2.5, 'three entities of 30,000 rows'),
    ratioBar(2, 3, 'one entity of 60,000 rows'),
    ratioBar(3, 2, 'first incremental sync of 60,000 rows'),
    { name: 'latency 1-4: every row exactly once in every run (3: the second read exactly the changes)', value: `${runs.filter((x) => x.run.exact).length} of ${runs.length} runs`, pass: runs.length > 0 && runs.every((x) => x.run.exact) },
    {
      name: `latency 1-3: connector in flight <= the dop hint (${r.dopHint}) and no 429 within the limits`,
      value: `max ${Math.max(0, ...within.map((x) => x.run.maxInFlight))} in flight, ${within.reduce((n, x) => n + x.run.throttled, 0)} x 429`,
      pass: within.length > 0 && within.every((x) => x.run.maxInFlight <= r.dopHint && x.run.throttled === 0),
    },
    {
      name: 'latency 4: under the tight budget, in flight <= the dop hint and no request before a Retry-After passed',
      value: tight ? `max ${tight.maxInFlight} in flight, ${tight.throttled} x 429, ${tight.retryAfterViolations} early requests` : 'n/a',
      pass: tight ? tight.exact && tight.maxInFlight <= r.dopHint && tight.retryAfterViolations === 0 : undefined,
    },
    killBar(r.kills),
  ];
}

function killBar(kills: KillResults | undefined): LatencyBar {
  const name = 'latency 5: SIGKILL at 10 moments of workload 1, each resumed from its last STATEs: no row lost, recordCount exact';
  if (!kills) return { name, value: 'n/a', pass: undefined };
  const good = kills.kills.filter((k) => k.lost === 0 && k.badCounts === 0 && k.resumedCode === 0).length;
  const lost = kills.kills.reduce((n, k) => n + k.lost, 0);
  return { name, value: `${good} of ${kills.kills.length} kills clean, ${lost} rows lost`, pass: kills.kills.length === 10 && good === 10 };
}

export const LATENCY_HEADER = ['workload', 'client', 'wall s', 'records/s', 'vs sequential bound', 'org requests', 'max in flight', '429s', 'exact'];

/** One row per client and workload, the sequential bound first. */
export function latencyRows(r: LatencyResults): Cell[][] {
  const rows: Cell[][] = [];
  for (const w of r.workloads) {
    rows.push([w.id, 'sequential bound', secs(w.boundMs), int(w.rows / (w.boundMs / 1000)), '1.00x', '-', 1, '-', '-']);
    for (const run of w.runs) {
      const second = run.second ? ` (second read: ${secs(run.second.wallMs)} s, ${run.second.records} changes)` : '';
      rows.push([w.id, `${run.client}${second}`, secs(run.wallMs), int(w.rows / (run.wallMs / 1000)), ratio(w.boundMs / run.wallMs), run.orgRequests, run.maxInFlight, run.throttled, run.exact ? 'yes' : 'NO']);
    }
  }
  return rows;
}

const SERIES: Record<LatencyClient, number> = { 'sequential bound': 0, connector: 1, 'dynamics-web-api': 2, 'connector, max_parallel_requests: 1': 3 };

/** Records/s per client and workload as SVG. */
export function latencyChart(r: LatencyResults): string {
  const data = r.workloads.flatMap((w) => [
    { label: `${w.id}: sequential bound`, value: w.rows / (w.boundMs / 1000), series: SERIES['sequential bound'] },
    ...w.runs.map((run) => ({ label: `${w.id}: ${run.client.replace('max_parallel_requests', 'max_parallel')}`, value: w.rows / (run.wallMs / 1000), series: SERIES[run.client] })),
  ]);
  return barChart('Latency-bound reads: records per second (higher is better)', data, (v) => `${int(v)} rec/s`);
}

/** The section of docs/benchmarks.md (the chart is written beside it as `chartFile`). */
export function latencyMarkdown(r: LatencyResults, chartFile: string): string {
  return [
    '## Latency-bound reads (issue 11)',
    '',
    `The emulator holds every Dataverse GET for ${r.model.baseMs} ms + ${r.model.perCellMs} ms per cell (rows x columns returned; a 5,000-row, 20-column page takes 2 s), a \`$batch\` for the sum of its parts; it sends \`x-ms-dop-hint: ${r.dopHint}\` and enforces 52 concurrent requests and the execution-time budget. ` +
      'The sequential bound is the sum of the modelled page latencies of one page after another with the connector\'s `$select`: what any client reading one page at a time waits at least. "vs sequential bound" is that bound divided by the client\'s wall time (whole process: start-up, token and metadata requests included).',
    '',
    ...r.workloads.map((w) => `- ${w.id}: ${w.title} (${w.entities.map((e) => `${e}, ${w.columns[e]} columns`).join('; ')}; ${int(w.rows)} rows, 5,000 per page, sequential bound ${secs(w.boundMs)} s)${w.id === 3 ? `; then ${CHANGES.updates} updates, up to ${CHANGES.deletes} deletes and ${CHANGES.inserts} inserts, and a second read that must return exactly those` : ''}.`),
    r.hasMaxParallel ? '' : '- `max_parallel_requests` is not in spec.yaml on this commit: the "max_parallel_requests: 1" row ran with default settings.',
    '',
    mdTable(LATENCY_HEADER, latencyRows(r)),
    '',
    `![${chartFile.replace(/\.svg$/, '')}](${chartFile})`,
    '',
    'One run per client (in that order, tables defined afresh before each); `npm run bench -- --latency-only --docs` re-runs this section alone (bench/latency.ts) and replaces it here, the rest of the page unchanged.',
    '',
    '"max in flight" and "429s" come from the emulator log (each request\'s in-flight count at arrival); workload 4 also checks from the log that no request arrived after a Retry-After answer and before it had passed, counting from 100 ms after the answer ended (a client busy parsing a page reads the 429 only then; integration_tests/helpers/service-limits.ts). Every run\'s record ids are compared with the table\'s: each row exactly once.',
    '',
    ...killMarkdown(r.kills),
  ].join('\n');
}

/** Workload 5's table: one row per kill. */
function killMarkdown(kills: KillResults | undefined): string[] {
  if (!kills) return [];
  const rows = kills.kills.map((k, i) => [String(i + 1), secs(k.killAtMs), String(k.states), String(k.resumedCode), String(k.lost), String(k.repeated), String(k.badCounts)]);
  return [
    `- 5: workload 1 read by the connector with default settings, SIGKILLed at 10 moments spread over its ${secs(kills.fullMs)} s read (seeded, bench/kill-resume.ts), each killed run resumed from the last STATE it printed per stream. Delivered = the killed run's records up to each stream's last STATE plus every record of the resumed run; "read twice" are uncommitted records read again.`,
    '',
    mdTable(['kill', 'at s', 'STATEs before', 'resumed exit', 'rows lost', 'read twice', 'wrong recordCount'], rows),
    '',
  ];
}
