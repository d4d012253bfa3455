/**
 * `npm run bench [-- --quick]`: the connector's throughput, memory and request counts against the
 * emulator, side by side with a bare fetch loop (the ceiling) and dynamics-web-api.
 *
 * Each measured thing is its own process, run under `/usr/bin/time -v` (peak RSS, CPU from the
 * kernel). The emulator runs here, in this process, on the second core: clients read pages one at
 * a time (the connector one page ahead) and pre-rendered pages cost the emulator little CPU. Entity-set pages are pre-rendered (page-cache.ts) so
 * the emulator's render time does not pad every client's wall time; `--live` turns that off.
 *
 * Exits 1 when a child fails or a record count is not the number of rows defined; `--strict` also
 * exits 2 when an acceptance bar fails.
 */
import { barChart } from './lib/svg-chart';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createDefaultWorld, createLargeWorld, startEmulator, type Emulator, type World } from '../integration_tests/emulator';
import { fetchAccessToken, type ChildSpec } from './children/child-spec';
import { PageCache } from './lib/page-cache';
import { jsonLines, measure, TIME_BIN, type RunResult, type StdoutMode } from './lib/measure';
import { summarizeProfile, type ProfileSummary } from './lib/profile';
import { int, mb, mdTable, ratio, secs, textTable, type Cell } from './lib/report';
import { LATENCY_HEADER, latencyBars, latencyBench, latencyChart, latencyMarkdown, latencyRows, type LatencyResults } from './latency';
import { LARGE_ROWS_HEADER, largeRowsBench, largeRowsRows, largeRowsSection, type LargeRowsResults } from './large-rows';

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'source-dataverse');
const NODE = process.execPath;
const CA = path.join(ROOT, 'integration_tests', 'emulator', 'certs', 'ca.pem');
const DOC = path.join(ROOT, 'docs', 'benchmarks.md');
const NOTES = path.join(ROOT, 'bench', 'notes.md');
const PROBE_ROWS = 10;
const LAST_RUN = path.join(ROOT, 'dist', 'bench', 'last-run.json');
const LAST_LATENCY = path.join(ROOT, 'dist', 'bench', 'last-latency.json');
const LATENCY_CHART = 'bench-latency.svg';

/** A finished run, saved so the docs can be re-rendered (e.g. after editing bench/notes.md). */
interface SavedRun {
  options: Options;
  ent: EntityResults;
  large: LargeOrgResults;
  /** The latency-bound section, when it ran. */
  latency?: LatencyResults;
  /** The large-rows read, when it ran. */
  rows?: LargeRowsResults;
  machine: Record<string, string>;
}

/** Wraps the emulator's entity-set route; startEmulator reads the wrapped export when it builds its routes. */
const pageCache = new PageCache();
pageCache.install();

// ---------------------------------------------------------------------------------------------
// Options

interface Options {
  quick: boolean;
  sizes: number[];
  /** Repetitions per size (index-aligned with sizes). */
  reps: number[];
  entity: string;
  live: boolean;
  stdout: StdoutMode;
  profile: boolean;
  docs: boolean;
  strict: boolean;
  largeOrgReps: number;
  /** Only the 1,000-entity org steps (no entity stream runs, no docs). */
  largeOrgOnly: boolean;
  /** Extra node flags for the connector child. */
  nodeFlags: string[];
  /** Re-render from a saved run instead of measuring. */
  report?: string;
  /** Run the latency-bound section (default in full mode). */
  latency: boolean;
  /** Only the latency-bound section; with --docs its section of docs/benchmarks.md is replaced in place. */
  latencyOnly: boolean;
  /** Only the 1,000-entity org steps. */
}

const USAGE = `Usage: npm run bench [-- options]
  --quick            20,000 rows, one run each, no docs, no profile (about a minute)
  --sizes A,B        row counts (default 100000,1000000)
  --reps A,B         runs per size (default 3,2; best reported)
  --entity NAME      entity of the default world (default account)
  --live             let the emulator render every page (no pre-rendered pages)
  --devnull          children's stdout to /dev/null (default: piped here, RECORD lines counted, discarded)
  --profile          also profile the connector (node --cpu-prof) at the largest size (default in full mode)
  --no-profile       do not profile
  --docs / --no-docs write docs/benchmarks.md (default: full mode only)
  --node-flags "F"   extra node flags for the connector child only (e.g. "--max-semi-space-size=2"), to try V8 settings
  --strict           exit 2 when an acceptance bar fails
  --large-org-only   only the 1,000-entity org steps (picklist, metadata streams, discover of 3 entities, discover of "*"), no docs (--org-only: the same)
  --report FILE      no measuring: print and write the docs again from a saved run (dist/bench/last-run.json)
  --latency / --no-latency  run the latency-bound section (issue 11; default: full mode only; about 3 minutes)
  --latency-only     only the latency-bound section; saved to dist/bench/last-latency.json; with --docs it replaces
                     that section (and docs/${LATENCY_CHART}) in docs/benchmarks.md, the rest of the page unchanged`;

function parseOptions(argv: string[]): Options {
  const quick = argv.includes('--quick');
  const o: Options = {
    quick,
    sizes: quick ? [20_000] : [100_000, 1_000_000],
    reps: quick ? [1] : [3, 2],
    entity: 'account',
    live: false,
    stdout: 'count',
    profile: !quick,
    docs: !quick,
    strict: false,
    largeOrgReps: quick ? 1 : 3,
    largeOrgOnly: false,
    nodeFlags: [],
    latency: !quick,
    latencyOnly: false,
  };
  const list = (v: string | undefined, flag: string) => {
    if (!v || !/^\d+(,\d+)*$/.test(v)) throw new Error(`${flag} needs comma-separated integers`);
    return v.split(',').map(Number);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
      case '--quick':
        break;
      case '--sizes':
        o.sizes = list(argv[++i], a);
        break;
      case '--reps':
        o.reps = list(argv[++i], a);
        break;
      case '--entity':
        o.entity = argv[++i] ?? '';
        break;
      case '--live':
        o.live = true;
        break;
      case '--devnull':
        o.stdout = 'devnull';
        break;
      case '--profile':
        o.profile = true;
        break;
      case '--no-profile':
        o.profile = false;
        break;
      case '--docs':
        o.docs = true;
        break;
      case '--no-docs':
        o.docs = false;
        break;
      case '--strict':
        o.strict = true;
        break;
      case '--org-only':
      case '--large-org-only':
        o.largeOrgOnly = true;
        o.docs = false;
        break;
      case '--latency':
        o.latency = true;
        break;
      case '--no-latency':
        o.latency = false;
        break;
      case '--latency-only':
        o.latencyOnly = true;
        o.latency = true;
        o.docs = argv.includes('--docs');
        break;
      case '--node-flags':
        o.nodeFlags = (argv[++i] ?? '').split(/\s+/).filter(Boolean);
        break;
      case '--report':
        o.report = argv[++i];
        if (!o.report) throw new Error('--report needs a file');
        break;
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n`);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option '${a}'\n${USAGE}`);
    }
  }
  o.reps = o.sizes.map((_, i) => o.reps[Math.min(i, o.reps.length - 1)] ?? 1);
  return o;
}

// ---------------------------------------------------------------------------------------------
// Helpers

const errors: string[] = [];
function fail(message: string): void {
  errors.push(message);
  process.stderr.write(`ERROR: ${message}\n`);
}

const say = (text: string) => process.stderr.write(`${text}\n`);

const childEnv: NodeJS.ProcessEnv = { ...process.env, NODE_EXTRA_CA_CERTS: CA };

function writeJson(dir: string, name: string, value: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(value, null, 2));
  return file;
}

/** Requests the emulator received for target 'org' since log index `from`. */
function orgRequests(emu: Emulator, from: number): number {
  return emu.log.slice(from).filter((e) => e.target === 'org').length;
}

function checkExit(r: RunResult, what: string): boolean {
  if (r.code === 0) return true;
  fail(`${what} exited with ${r.code ?? r.signal}: ${r.stderr.trim().slice(-800)}${r.stdoutText ? `\nstdout tail: ${r.stdoutText.slice(-800)}` : ''}`);
  return false;
}

// ---------------------------------------------------------------------------------------------
// (a) (b) (c): one entity stream, three clients

type Client = 'ceiling' | 'connector' | 'connector, max_parallel_requests: 1' | 'dynamics-web-api';
const ONE_REQUEST: Client = 'connector, max_parallel_requests: 1';
const CLIENTS: Client[] = ['ceiling', 'connector', ONE_REQUEST, 'dynamics-web-api'];
const isConnector = (client: Client) => client === 'connector' || client === ONE_REQUEST;

interface Measurement {
  client: Client;
  size: number;
  run: number;
  wallMs: number;
  cpuS: number;
  maxRssBytes: number;
  orgRequests: number;
  /** CPU the emulator (this process) spent during the run. */
  emulatorCpuMs: number;
  cacheMisses: number;
}

interface EntityResults {
  entity: string;
  columns: number;
  bytesPerRow: number;
  measurements: Measurement[];
  profile?: { size: number; summary: ProfileSummary; wallMs: number };
}

function headersOf(entry: { headers: Record<string, string | string[] | undefined> }): Record<string, string> {
  // What fetch adds by itself (or derives from If-None-Match) and what is per connection stays out.
  const drop = new Set(['host', 'connection', 'authorization', 'accept-language', 'sec-fetch-mode', 'user-agent', 'accept-encoding', 'pragma', 'cache-control', 'content-length']);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(entry.headers)) if (!drop.has(k) && typeof v === 'string') out[k] = v;
  return out;
}

async function warm(spec: ChildSpec, token: string, expected: number): Promise<number> {
  let url: string | undefined = spec.firstUrl;
  let rows = 0;
  let bytes = 0;
  while (url !== undefined) {
    const res: Response = await fetch(url, { headers: { ...spec.headers, Authorization: `Bearer ${token}` } });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`warm-up: ${res.status} ${text.slice(0, 300)}`);
    const page = JSON.parse(text) as { value: unknown[]; '@odata.nextLink'?: string };
    rows += page.value.length;
    bytes += Buffer.byteLength(text);
    url = page['@odata.nextLink'];
  }
  if (rows !== expected) throw new Error(`warm-up read ${rows} rows, ${expected} defined`);
  return bytes / rows;
}

async function entityBench(o: Options, dir: string): Promise<EntityResults> {
  pageCache.enabled = !o.live;
  const world: World = createDefaultWorld();
  const def = world.org.entities[o.entity];
  if (!def) throw new Error(`--entity ${o.entity}: not an entity of the default world (${Object.keys(world.org.entities).join(', ')})`);
  const emu = await startEmulator({ world });
  try {
    const configFile = writeJson(dir, 'entity-config.json', emu.config({ entities: [o.entity] }));
    const oneRequestConfig = writeJson(dir, 'entity-config-1.json', emu.config({ entities: [o.entity], max_parallel_requests: 1 }));

    // Probe: discover for the stream, one small read for the connector's exact first request.
    emu.tables.define(o.entity, { rowCount: PROBE_ROWS });
    const discover = await measure({ label: 'discover', args: [NODE, BIN, 'discover', '--config', configFile], cwd: ROOT, env: childEnv, stdout: 'keep' });
    if (!checkExit(discover, 'probe discover')) throw new Error('probe failed');
    const catalog = jsonLines(discover.stdoutText).find((m) => m.type === 'CATALOG')?.catalog as { streams: Array<{ name: string }> } | undefined;
    const stream = catalog?.streams.find((s) => s.name === o.entity);
    if (!stream) throw new Error(`discover has no stream ${o.entity}`);
    const catalogFile = writeJson(dir, 'entity-catalog.json', { streams: [{ stream, sync_mode: 'full_refresh', destination_sync_mode: 'overwrite' }] });
    const from = emu.log.length;
    const probe = await measure({ label: 'probe', args: [NODE, BIN, 'read', '--config', configFile, '--catalog', catalogFile], cwd: ROOT, env: childEnv, stdout: 'keep' });
    if (!checkExit(probe, 'probe read') || probe.records !== PROBE_ROWS) throw new Error(`probe read: ${probe.records} records, ${PROBE_ROWS} defined`);
    const first = emu.log.slice(from).find((e) => e.target === 'org' && e.method === 'GET' && e.path.startsWith(`/api/data/v9.2/${def.entitySetName}?`));
    if (!first) throw new Error(`the connector's read sent no GET /api/data/v9.2/${def.entitySetName}?...`);
    const firstUrl = `${emu.orgUrl}${first.path}`;
    const select = (new URL(firstUrl).searchParams.get('$select') ?? '').split(',').filter(Boolean);
    const headers = headersOf(first);
    const pageSize = Number(/odata\.maxpagesize=(\d+)/.exec(headers.prefer ?? '')?.[1] ?? 5000);
    const cfg = emu.config();
    const spec: ChildSpec = {
      stream: o.entity,
      orgUrl: emu.orgUrl,
      entitySet: def.entitySetName,
      select,
      pageSize,
      firstUrl,
      headers,
      token: { url: `${cfg.authority_host}/${cfg.tenant_id}/oauth2/v2.0/token`, clientId: cfg.client_id, clientSecret: cfg.client_secret, scope: `${emu.orgUrl}/.default` },
    };
    const specFile = writeJson(dir, 'child-spec.json', spec);
    say(`entity ${o.entity}: ${select.length} columns ($select of the connector), Prefer: ${headers.prefer ?? '-'}`);

    const token = await fetchAccessToken(spec.token);
    const argsOf = (client: Client, nodeFlags: string[] = []): string[] => {
      switch (client) {
        case 'ceiling':
          return [NODE, ...nodeFlags, path.join(__dirname, 'children', 'ceiling.js'), specFile];
        case 'dynamics-web-api':
          return [NODE, ...nodeFlags, path.join(__dirname, 'children', 'dwa.js'), specFile];
        case ONE_REQUEST:
          return [NODE, ...o.nodeFlags, ...nodeFlags, BIN, 'read', '--config', oneRequestConfig, '--catalog', catalogFile];
        default:
          return [NODE, ...o.nodeFlags, ...nodeFlags, BIN, 'read', '--config', configFile, '--catalog', catalogFile];
      }
    };

    const results: EntityResults = { entity: o.entity, columns: select.length, bytesPerRow: 0, measurements: [] };
    for (let s = 0; s < o.sizes.length; s++) {
      const size = o.sizes[s];
      pageCache.clear();
      emu.tables.define(o.entity, { rowCount: size });
      if (!o.live) {
        const t0 = performance.now();
        results.bytesPerRow = await warm(spec, token, size);
        // The connector reads a large table in createdon partitions, whose pages no other client asks for: one unmeasured run renders them.
        const fill = await measure({ label: 'connector (pre-render)', args: argsOf('connector'), cwd: ROOT, env: childEnv, stdout: 'devnull' });
        if (!checkExit(fill, `connector pre-render at ${int(size)} rows`)) throw new Error('pre-render run failed');
        say(`${int(size)} rows: pages pre-rendered in ${secs(performance.now() - t0)} s (${pageCache.size} pages, ${mb(pageCache.bytes)} MB, ${results.bytesPerRow.toFixed(0)} B/row)`);
      }
      for (let run = 1; run <= o.reps[s]; run++) {
        // Rotate the order so no client always runs first (or right after a warm-up).
        const order = CLIENTS.map((_, i) => CLIENTS[(i + run - 1) % CLIENTS.length]);
        for (const client of order) {
          pageCache.resetCounters();
          const from = emu.log.length;
          const cpu0 = process.cpuUsage();
          let stateCount = 0;
          const onStateLine = (line: string) => (stateCount += Number(JSON.parse(line).state?.sourceStats?.recordCount ?? NaN));
          const r = await measure({ label: client, args: argsOf(client), cwd: ROOT, env: childEnv, stdout: o.stdout, onStateLine });
          const cpu = process.cpuUsage(cpu0);
          const what = `${client} at ${int(size)} rows (run ${run})`;
          if (!checkExit(r, what)) continue;
          if (r.records !== undefined && r.records !== size) fail(`${what}: ${r.records} RECORD lines, ${size} rows defined`);
          // A partitioned read ends one collection per partition; the others read one.
          const lastPagesOk = isConnector(client) ? pageCache.lastPageServed >= 1 : pageCache.lastPageServed === 1;
          if (pageCache.rowsServed !== size || !lastPagesOk) fail(`${what}: the emulator served ${pageCache.rowsServed} rows (${pageCache.lastPageServed} last pages), ${size} defined`);
          if (isConnector(client) && o.stdout !== 'devnull') {
            if (stateCount !== size) fail(`${what}: the STATEs' recordCounts add up to ${stateCount}, ${size} rows defined`);
          }
          const m: Measurement = {
            client,
            size,
            run,
            wallMs: r.wallMs,
            cpuS: r.userS + r.sysS,
            maxRssBytes: r.maxRssBytes,
            orgRequests: orgRequests(emu, from),
            emulatorCpuMs: (cpu.user + cpu.system) / 1000,
            cacheMisses: pageCache.misses,
          };
          results.measurements.push(m);
          say(
            `  ${client.padEnd(16)} ${int(size).padStart(9)} rows run ${run}: ${secs(m.wallMs)} s, ${int(size / (m.wallMs / 1000))} rec/s, cpu ${m.cpuS.toFixed(2)} s, rss ${mb(m.maxRssBytes)} MB, emulator cpu ${secs(m.emulatorCpuMs)} s, ${m.orgRequests} org requests, ${m.cacheMisses} uncached pages`,
          );
        }
      }
      if (o.profile && s === o.sizes.length - 1) {
        const profDir = fs.mkdtempSync(path.join(dir, 'prof-'));
        pageCache.resetCounters();
        const r = await measure({ label: 'connector (profiled)', args: argsOf('connector', ['--cpu-prof', `--cpu-prof-dir=${profDir}`]), cwd: ROOT, env: childEnv, stdout: o.stdout });
        if (checkExit(r, `profiled connector at ${int(size)} rows`)) {
          const file = fs.readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
          if (file) {
            const keep = path.join(ROOT, 'dist', 'bench', 'connector.cpuprofile');
            fs.copyFileSync(path.join(profDir, file), keep);
            results.profile = { size, summary: summarizeProfile(keep, ROOT), wallMs: r.wallMs };
            say(`  connector profile (${int(size)} rows, ${secs(r.wallMs)} s under --cpu-prof): ${path.relative(ROOT, keep)}`);
          }
        }
      }
    }
    return results;
  } finally {
    pageCache.clear();
    await emu.close();
  }
}

// ---------------------------------------------------------------------------------------------
// (d) (e): the 1,000-entity org

/** The 1,000-entity org steps. */
type OrgStep = 'picklist' | 'metadata' | 'discover' | 'discover-all';
const ORG_STEPS: readonly OrgStep[] = ['picklist', 'metadata', 'discover', 'discover-all'];

interface OrgMeasurement {
  what: OrgStep;
  run: number;
  wallMs: number;
  maxRssBytes: number;
  orgRequests: number;
  loginRequests: number;
  /** Picklist records, metadata records (both streams), or entity streams in the catalog (discover-all: `entities: ["*"]`). */
  count: number;
}

interface LargeOrgResults {
  entities: number;
  expectedOptions: number;
  /** entity_metadata + attribute_metadata records: one per entity and one per attribute. */
  expectedMetadata?: number;
  discoverEntities: string[];
  measurements: OrgMeasurement[];
}

async function largeOrgBench(o: Options, dir: string): Promise<LargeOrgResults> {
  const world = createLargeWorld({ entities: 1000, seed: 1 });
  const emu = await startEmulator({ world });
  try {
    const entities = Object.values(world.org.entities);
    let expectedOptions = 0;
    for (const e of entities) for (const a of e.attributes) expectedOptions += a.optionSet?.options.length ?? 0;
    const readable = entities.filter((e) => !e.readDenied).map((e) => e.logicalName);
    // Three entities from the generated part of the org (the default world's names come first).
    const three = [readable[Math.floor(readable.length / 4)], readable[Math.floor(readable.length / 2)], readable[Math.floor((3 * readable.length) / 4)]];
    const picklistConfig = writeJson(dir, 'large-picklist-config.json', emu.config());
    const picklistCatalog = writeJson(dir, 'large-picklist-catalog.json', {
      streams: [
        {
          stream: { name: 'picklist', json_schema: {}, supported_sync_modes: ['full_refresh'], source_defined_primary_key: [['entity'], ['attribute'], ['value']] },
          sync_mode: 'full_refresh',
          destination_sync_mode: 'overwrite',
        },
      ],
    });
    // Both metadata streams with `entities` absent: every table and column of the org.
    const expectedMetadata = entities.length + entities.reduce((n, e) => n + e.attributes.length, 0);
    const metadataCatalog = writeJson(dir, 'large-metadata-catalog.json', {
      streams: [
        ['entity_metadata', [['logical_name']]],
        ['attribute_metadata', [['entity'], ['logical_name']]],
      ].map(([name, key]) => ({
        stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh'], source_defined_primary_key: key },
        sync_mode: 'full_refresh',
        destination_sync_mode: 'overwrite',
      })),
    });
    const discoverConfig = writeJson(dir, 'large-discover-config.json', emu.config({ entities: three }));
    // Every table: "*" stands for each entity with an entity set (organization has its own stream).
    const everyTable = entities.filter((e) => e.entitySetName && e.logicalName !== 'organization').map((e) => e.logicalName);
    const discoverAllConfig = writeJson(dir, 'large-discover-all-config.json', emu.config({ entities: ['*'] }));
    say(`1,000-entity org: ${int(expectedOptions)} options in option-set columns; discover entities ${three.join(', ')}`);
    const measurements: OrgMeasurement[] = [];
    for (let run = 1; run <= o.largeOrgReps; run++) {
      for (const what of ORG_STEPS) {
        const from = emu.log.length;
        const args =
          what === 'picklist'
            ? [NODE, BIN, 'read', '--config', picklistConfig, '--catalog', picklistCatalog]
            : what === 'metadata'
              ? [NODE, BIN, 'read', '--config', picklistConfig, '--catalog', metadataCatalog]
              : [NODE, BIN, 'discover', '--config', what === 'discover' ? discoverConfig : discoverAllConfig];
        const r = await measure({ label: what, args, cwd: ROOT, env: childEnv, stdout: 'keep' });
        if (!checkExit(r, `${what} on the 1,000-entity org (run ${run})`)) continue;
        let count = r.records ?? 0;
        if (what === 'picklist' && count !== expectedOptions) fail(`picklist on the 1,000-entity org: ${count} records, the org has ${expectedOptions} options`);
        if (what === 'metadata' && count !== expectedMetadata) fail(`metadata streams on the 1,000-entity org: ${count} records, the org has ${expectedMetadata} entities and attributes`);
        if (what === 'discover') {
          const names: string[] = (jsonLines(r.stdoutText).find((m) => m.type === 'CATALOG')?.catalog?.streams ?? []).map((s: { name: string }) => s.name);
          const missing = three.filter((n) => !names.includes(n));
          if (missing.length > 0) fail(`discover on the 1,000-entity org: no stream for ${missing.join(', ')} (got ${names.join(', ')})`);
          count = names.filter((n) => three.includes(n)).length;
        }
        if (what === 'discover-all') {
          const streams: Array<{ name: string; json_schema?: { properties?: object } }> = jsonLines(r.stdoutText).find((m) => m.type === 'CATALOG')?.catalog?.streams ?? [];
          const withSchema = new Set(streams.filter((st) => Object.keys(st.json_schema?.properties ?? {}).length > 0).map((st) => st.name));
          const missing = everyTable.filter((n) => !withSchema.has(n));
          if (missing.length > 0) fail(`discover of "*" on the 1,000-entity org: ${missing.length} tables have no stream with a schema (${missing.slice(0, 5).join(', ')}, ...)`);
          count = everyTable.length - missing.length;
        }
        const m: OrgMeasurement = {
          what,
          run,
          wallMs: r.wallMs,
          maxRssBytes: r.maxRssBytes,
          orgRequests: orgRequests(emu, from),
          loginRequests: emu.log.slice(from).filter((e) => e.target === 'login').length,
          count,
        };
        measurements.push(m);
        say(`  ${what.padEnd(12)} run ${run}: ${secs(m.wallMs)} s, rss ${mb(m.maxRssBytes)} MB, ${m.orgRequests} org requests (+${m.loginRequests} login), ${int(count)} ${unitOf(what)}`);
      }
    }
    return { entities: entities.length, expectedOptions, expectedMetadata, discoverEntities: three, measurements };
  } finally {
    await emu.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Summary, bars, docs

interface Summary {
  client: Client;
  size: number;
  runs: number;
  best: Measurement;
  recPerS: number;
  maxRssBytes: number;
  minCpuS: number;
}

function summarize(ms: Measurement[]): Summary[] {
  const out: Summary[] = [];
  for (const size of [...new Set(ms.map((m) => m.size))]) {
    for (const client of CLIENTS) {
      const mine = ms.filter((m) => m.size === size && m.client === client);
      if (mine.length === 0) continue;
      const best = mine.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
      out.push({
        client,
        size,
        runs: mine.length,
        best,
        recPerS: size / (best.wallMs / 1000),
        maxRssBytes: Math.max(...mine.map((m) => m.maxRssBytes)),
        minCpuS: Math.min(...mine.map((m) => m.cpuS)),
      });
    }
  }
  return out;
}

interface Bar {
  name: string;
  value: string;
  pass: boolean | undefined;
}

function bars(o: Options, sums: Summary[], large: LargeOrgResults | undefined, latency?: LatencyResults): Bar[] {
  const top = Math.max(...o.sizes);
  const low = Math.min(...o.sizes);
  const get = (client: Client, size: number) => sums.find((s) => s.client === client && s.size === size);
  const c = get('connector', top);
  const one = get(ONE_REQUEST, top);
  const ceil = get('ceiling', top);
  const dwa = get('dynamics-web-api', top);
  const cLow = get('connector', low);
  const at = `at ${int(top)} rows`;
  const list: Bar[] = [];
  list.push({ name: `connector throughput >= 0.8x ceiling ${at}`, value: c && ceil ? ratio(c.recPerS / ceil.recPerS) : 'n/a', pass: c && ceil ? c.recPerS >= 0.8 * ceil.recPerS : undefined });
  list.push({
    name: `connector ahead of dynamics-web-api ${at}`,
    value: c && dwa ? `${int(c.recPerS)} vs ${int(dwa.recPerS)} rec/s (${ratio(c.recPerS / dwa.recPerS)})` : 'n/a',
    pass: c && dwa ? c.recPerS > dwa.recPerS : undefined,
  });
  list.push({ name: `connector peak RSS <= 250 MB ${at} (default settings)`, value: c ? `${mb(c.maxRssBytes)} MB` : 'n/a', pass: c ? c.maxRssBytes <= 250 * 1024 * 1024 : undefined });
  list.push({ name: `connector with max_parallel_requests: 1: peak RSS <= 150 MB ${at}`, value: one ? `${mb(one.maxRssBytes)} MB` : 'n/a', pass: one ? one.maxRssBytes <= 150 * 1024 * 1024 : undefined });
  list.push({
    name: `connector peak RSS ${at} within 1.2x of ${int(low)} rows`,
    value: c && cLow && top !== low ? `${mb(c.maxRssBytes)} / ${mb(cLow.maxRssBytes)} MB = ${ratio(c.maxRssBytes / cLow.maxRssBytes)}` : 'n/a (one size)',
    pass: c && cLow && top !== low ? c.maxRssBytes <= 1.2 * cLow.maxRssBytes : undefined,
  });
  list.push(...orgBars(large));
  if (latency) list.push(...latencyBars(latency));
  return list;
}


/** The 1,000-entity org's bars: request counts, and the memory of discovering every table. */
/** What an org step counts: picklist and metadata read records, the discover steps entity streams. */
function unitOf(what: OrgStep): string {
  return what === 'picklist' || what === 'metadata' ? 'records' : 'entity streams';
}

function orgBars(large: LargeOrgResults | undefined): Bar[] {
  const worst = (what: OrgStep, of: (m: OrgMeasurement) => number) => {
    const ms = large?.measurements.filter((m) => m.what === what) ?? [];
    return ms.length ? Math.max(...ms.map(of)) : undefined;
  };
  const bar = (name: string, value: number | undefined, limit: number, show: (v: number) => string = String): Bar => ({ name, value: value === undefined ? 'n/a' : show(value), pass: value === undefined ? undefined : value <= limit });
  const requests = (m: OrgMeasurement) => m.orgRequests;
  return [
    bar('picklist on the 1,000-entity org in <= 25 org requests', worst('picklist', requests), 25),
    bar('discover of 3 entities (1,000-entity org) in <= 10 org requests', worst('discover', requests), 10),
    bar('discover of entities ["*"] (1,000-entity org) in <= 40 org requests', worst('discover-all', requests), 40),
    bar('discover of entities ["*"] (1,000-entity org) peak RSS <= 300 MB', worst('discover-all', (m) => m.maxRssBytes), 300 * 1024 * 1024, (v) => `${mb(v)} MB`),
    bar('entity_metadata + attribute_metadata on the 1,000-entity org in <= 30 org requests', worst('metadata', requests), 30),
    bar('entity_metadata + attribute_metadata on the 1,000-entity org: peak RSS <= 200 MB', worst('metadata', (m) => m.maxRssBytes), 200 * 1024 * 1024, (v) => `${mb(v)} MB`),
  ];
}

const verdict = (b: Bar) => (b.pass === undefined ? 'n/a' : b.pass ? 'PASS' : 'FAIL');

function throughputRows(sums: Summary[]): Cell[][] {
  return sums.map((s) => {
    const ceil = sums.find((x) => x.size === s.size && x.client === 'ceiling');
    return [
      int(s.size),
      s.client,
      s.runs,
      secs(s.best.wallMs),
      int(s.recPerS),
      ceil ? ratio(s.recPerS / ceil.recPerS) : '-',
      s.minCpuS.toFixed(2),
      ceil ? ratio(ceil.minCpuS / s.minCpuS) : '-',
      mb(s.maxRssBytes),
      s.best.orgRequests,
      secs(s.best.emulatorCpuMs),
    ];
  });
}

const THROUGHPUT_HEADER = ['rows', 'client', 'runs', 'best wall s', 'records/s', 'vs ceiling', 'CPU s (min)', 'CPU vs ceiling', 'peak RSS MB (max)', 'org requests', 'emulator CPU s'];

function orgRows(large: LargeOrgResults): Cell[][] {
  return ORG_STEPS.map((what) => {
    const ms = large.measurements.filter((m) => m.what === what);
    if (ms.length === 0) return [what, 0, '-', '-', '-', '-'];
    const best = ms.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
    return [
      what === 'picklist'
        ? 'picklist stream (picklists absent)'
        : what === 'metadata'
          ? 'entity_metadata + attribute_metadata (entities absent)'
          : what === 'discover'
            ? `discover (entities: ${large.discoverEntities.join(', ')})`
            : 'discover (entities: ["*"])',
      ms.length,
      secs(best.wallMs),
      mb(Math.max(...ms.map((m) => m.maxRssBytes))),
      Math.max(...ms.map((m) => m.orgRequests)),
      `${int(best.count)} ${unitOf(what)}`,
    ];
  });
}

const ORG_HEADER = ['what', 'runs', 'best wall s', 'peak RSS MB (max)', 'org requests (max)', 'output'];

function machine(): Record<string, string> {
  const sh = (cmd: string, args: string[]) => {
    try {
      return execFileSync(cmd, args, { cwd: ROOT, encoding: 'utf8' }).trim();
    } catch {
      return '?';
    }
  };
  const dirty = sh('git', ['status', '--porcelain', '--', 'connector']) !== '';
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    nproc: String(os.availableParallelism()),
    cpu: os.cpus()[0]?.model ?? '?',
    memory: `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    commit: `${sh('git', ['rev-parse', '--short', 'HEAD'])}${dirty ? ' (connector/ had uncommitted changes in the working tree)' : ''}`,
  };
}

function profileMarkdown(p: NonNullable<EntityResults['profile']>): string {
  const rows = (list: { where: string; selfMs: number; percent: number }[]) => list.map((r) => [`\`${r.where}\``, r.selfMs.toFixed(0), `${r.percent.toFixed(1)}%`]);
  return [
    `Connector \`read\` of ${int(p.size)} rows under \`node --cpu-prof\` (${secs(p.wallMs)} s wall; ${(p.summary.totalMs / 1000).toFixed(1)} s sampled). File and line are of the compiled \`dist/\` JavaScript (same names as the TypeScript).`,
    '',
    'Self time by area:',
    '',
    mdTable(['area', 'self ms', 'share'], rows(p.summary.byArea)),
    '',
    'Top functions by self time:',
    '',
    mdTable(['function (file:line)', 'self ms', 'share'], rows(p.summary.top)),
  ].join('\n');
}

/** Records/s and peak RSS per client and size as SVG beside this page; the markdown that shows them. */
function writeCharts(sums: Summary[]): string[] {
  const clients = [...new Set(sums.map((s) => s.client))];
  const data = (of: (s: Summary) => number) => sums.map((s) => ({ label: `${s.client}, ${int(s.size)} rows`, value: of(s), series: clients.indexOf(s.client) }));
  const charts: Array<[string, string]> = [
    ['bench-throughput.svg', barChart('Records per second (higher is better)', data((s) => s.recPerS), (v) => `${int(v)} rec/s`)],
    ['bench-rss.svg', barChart('Peak RSS (lower is better)', data((s) => s.maxRssBytes), (v) => `${mb(v)} MB`)],
  ];
  for (const [file, svg] of charts) fs.writeFileSync(path.join(path.dirname(DOC), file), svg);
  return charts.map(([file]) => `![${file.replace(/\.svg$/, '')}](${file})`);
}

/** The latency section's markdown, its chart written beside docs/benchmarks.md. */
function latencySection(latency: LatencyResults): string {
  fs.writeFileSync(path.join(path.dirname(DOC), LATENCY_CHART), latencyChart(latency));
  return latencyMarkdown(latency, LATENCY_CHART);
}

/**
 * `--latency-only --docs`: replaces the latency section of docs/benchmarks.md (or inserts it before
 * "## Method"), with its own bars table, leaving the rest of the page as the last full run wrote it.
 */
function spliceLatencyDocs(latency: LatencyResults, m: Record<string, string>): void {
  const doc = fs.readFileSync(DOC, 'utf8');
  const barList = latencyBars(latency);
  const section = [
    latencySection(latency).trimEnd(),
    '',
    `Measured on ${m.date} at ${m.commit} by \`npm run bench -- --latency-only --docs\` (the rest of this page is from the full run above).`,
    '',
    mdTable(['bar', 'measured', 'result'], barList.map((b) => [b.name, b.value, verdict(b)])),
    '',
  ].join('\n');
  const start = doc.indexOf('## Latency-bound reads');
  const next = start < 0 ? -1 : doc.indexOf('\n## ', start + 3);
  const method = doc.indexOf('## Method');
  const out = start >= 0 ? `${doc.slice(0, start)}${section}\n${next < 0 ? '' : doc.slice(next + 1)}` : method >= 0 ? `${doc.slice(0, method)}${section}\n${doc.slice(method)}` : `${doc}\n${section}`;
  fs.writeFileSync(DOC, out);
  say(`replaced the latency section of ${path.relative(ROOT, DOC)}`);
}

function writeDocs(o: Options, ent: EntityResults, sums: Summary[], large: LargeOrgResults | undefined, barList: Bar[], m: Record<string, string>, latency?: LatencyResults, rows?: LargeRowsResults): void {
  const notes = fs.existsSync(NOTES) ? fs.readFileSync(NOTES, 'utf8').trim() : '';
  const doc = [
    '# Benchmarks',
    '',
    `Generated by \`npm run bench\` (bench/run.ts) on ${m.date}. Re-run it to refresh this page; the analysis section comes from \`bench/notes.md\`.`,
    '',
    '## Machine',
    '',
    mdTable(['', ''], [['nproc', m.nproc], ['CPU', m.cpu], ['memory', m.memory], ['node', m.node], ['OS', m.os], ['commit', m.commit]]),
    '',
    '## Acceptance bars',
    '',
    mdTable(['bar', 'measured', 'result'], barList.map((b) => [b.name, b.value, verdict(b)])),
    '',
    `## Entity stream \`${ent.entity}\`: ceiling, connector, dynamics-web-api`,
    '',
    `Full refresh of \`${ent.entity}\` from the default world, ${ent.columns} columns (the connector's \`$select\`, every column of the discovered schema), about ${ent.bytesPerRow.toFixed(0)} bytes of JSON per row, 5,000 rows per page. ` +
      `Runs per size: ${o.sizes.map((s, i) => `${o.reps[i]} at ${int(s)}`).join(', ')}; ${o.live ? 'pages rendered live by the emulator' : 'pages pre-rendered (see Method)'}.`,
    '',
    mdTable(THROUGHPUT_HEADER, throughputRows(sums)),
    '',
    ...writeCharts(sums),
    '',
    'records/s = rows / best wall time of the whole process (start-up, token, metadata requests included). "CPU s" is user + system time of the child (from `/usr/bin/time -v`), the best run; "CPU vs ceiling" is the ceiling\'s CPU divided by the client\'s (1.00x = as cheap as the bare loop). Peak RSS is the largest of the runs.',
    '',
    ...(large
      ? [
          `## The 1,000-entity org (\`createLargeWorld({ entities: 1000, seed: 1 })\`)`,
          '',
          `${int(large.entities)} entities, ${int(large.expectedOptions)} options in option-set columns${large.expectedMetadata ? `, ${int(large.expectedMetadata - large.entities)} attributes` : ''}.`,
          '',
          mdTable(ORG_HEADER, orgRows(large)),
          '',
          'Org requests are the emulator log entries with target `org` during the run (token and openid-configuration requests go to the login host and are not counted).',
          '',
        ]
      : []),
    ...(rows ? [largeRowsSection(rows)] : []),
    ...(latency ? [latencySection(latency)] : []),
    ...(ent.profile ? ['## Connector profile', '', profileMarkdown(ent.profile), ''] : []),
    '## Method',
    '',
    [
      '- One command: `npm run bench` builds, then runs `node dist/bench/run.js` with `NODE_EXTRA_CA_CERTS` pointing at the emulator CA. `npm run bench -- --quick` is a one-minute smoke run (20,000 rows, one run each, no docs).',
      '- Every measured thing is its own process, started under `/usr/bin/time -v`; peak RSS is its "Maximum resident set size", CPU its user + system time, wall time is measured around the process from the bench.',
      '- (a) ceiling, `bench/children/ceiling.ts`: Node 20 global fetch, the connector\'s own first URL (captured from the emulator log of a 10-row probe read: same `$select`) and request headers (same `Prefer: odata.maxpagesize=5000`), a bearer token from one token POST; per page: text, `JSON.parse`, one RECORD line per row, follow `@odata.nextLink`.',
      '- (b) connector: `bin/source-dataverse read --config C --catalog K`, the catalog from its own `discover`, the entity stream alone, `full_refresh`.',
      '- (c) `bench/children/dwa.ts`: dynamics-web-api 2.5.0 `retrieveAll({ collection, select, maxPageSize: 5000 })`, `serverUrl` = the emulator org, `onTokenRefresh` = a token POST to the emulator; then one RECORD line per row. retrieveAll resolves with every row at once, so its memory grows with the row count.',
      '- Output: each child\'s stdout is piped to the bench, which counts the `{"type":"RECORD"` lines and discards them (`--devnull` sends it to /dev/null instead, with no count). A run fails the bench (exit 1) when a child exits non-zero, when its RECORD count or the connector\'s final STATE `recordCount` differs from the rows defined, or when the emulator did not serve exactly those rows once.',
      '- Emulator placement: in the bench process, on the second core. The ceiling and dynamics-web-api read pages strictly one after another (request, wait, parse and write, request the next), so the emulator and the client are never busy at the same time. The connector fetches one page ahead, so it overlaps, but with pre-rendered pages the emulator spends under 10 ms of CPU per 5,000-row page (TLS and the socket write: see "emulator CPU s"), which the second core absorbs. A separate emulator process would change nothing but add IPC. The pipe reader that counts output lines runs on that core too.',
      '- Pre-rendered pages: the emulator renders rows on request and, for `account`, spends about as much CPU per row as the bare client loop; that time is idle wait for every client and would pad all three wall times alike, pulling every ratio towards 1. `bench/lib/page-cache.ts` wraps the emulator\'s entity-set route (no emulator file is edited), a warm-up pass stores every page\'s bytes, and measured runs get the same bytes without the render. Token validation, logging and headers still run per request. The "emulator CPU s" column shows what the server side still cost. `--live` measures with live rendering instead.',
      `- Entity choice: \`${ent.entity}\`, the default world's most realistic table (lookups, money, option sets, dates, memo; change tracking on, so the connector also adds \`_ab_cdc_*\` fields). With pre-rendered pages a leaner entity is not needed to keep the emulator out of the way.`,
      '- Repetitions: clients are interleaved within a run, their order rotating, and the best wall time (and best CPU) per client and size is reported; peak RSS is the largest seen. The 1,000-entity org steps run 3 times (1 in quick mode) and report the largest request count.',
      '- The connector is profiled once more at the largest size with `node --cpu-prof` (not counted in the table); `dist/bench/connector.cpuprofile` is kept for Chrome DevTools / speedscope.',
    ].join('\n'),
    '',
    ...(notes ? ['## Analysis', '', notes, ''] : []),
  ].join('\n');
  fs.writeFileSync(DOC, doc);
  say(`wrote ${path.relative(ROOT, DOC)}`);
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const o = parseOptions(process.argv.slice(2));
  if (!fs.existsSync(TIME_BIN)) throw new Error(`${TIME_BIN} is needed (GNU time, for peak RSS)`);
  if (!fs.existsSync(path.join(ROOT, 'dist', 'connector', 'main.js'))) throw new Error('dist/ is missing: npm run build');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'source-dataverse-bench-'));
  const started = performance.now();
  try {
    if (!o.latencyOnly) say(`bench: ${o.quick ? 'quick' : 'full'}; sizes ${o.sizes.map(int).join(', ')}; runs ${o.reps.join(', ')}; ${os.availableParallelism()} cores; node ${process.version}`);
    let ent: EntityResults;
    let large: LargeOrgResults;
    let facts: Record<string, string>;
    let latency: LatencyResults | undefined;
    let rows: LargeRowsResults | undefined;
    if (o.latencyOnly) return await latencyOnly(o, dir);
    if (o.largeOrgOnly) {
      const only = await largeOrgBench(o, dir);
      process.stdout.write(`\n1,000-entity org:\n${textTable(ORG_HEADER, orgRows(only))}\n`);
      const list = orgBars(only);
      process.stdout.write(`\nAcceptance bars (1,000-entity org only):\n${textTable(['bar', 'measured', 'result'], list.map((b) => [b.name, b.value, verdict(b)]))}\n`);
      if (errors.length > 0) return 1;
      return o.strict && list.some((b) => b.pass === false) ? 2 : 0;
    }
    if (o.report) {
      const saved = JSON.parse(fs.readFileSync(o.report, 'utf8')) as SavedRun;
      ({ ent, large, latency, rows, machine: facts } = saved);
      Object.assign(o, { ...saved.options, docs: o.docs, strict: o.strict });
      say(`report from ${o.report} (measured ${facts.date})`);
    } else {
      ent = await entityBench(o, dir);
      large = await largeOrgBench(o, dir);
      rows = await largeRowsBench(latencyContext(dir));
      if (o.latency) latency = await runLatencySection(dir);
      facts = machine();
      if (errors.length === 0 && o.docs) {
        const saved: SavedRun = { options: o, ent, large, latency, rows, machine: facts };
        fs.writeFileSync(LAST_RUN, JSON.stringify(saved));
        say(`saved ${path.relative(ROOT, LAST_RUN)} (npm run bench -- --report ${path.relative(ROOT, LAST_RUN)} re-renders it)`);
      }
    }
    const sums = summarize(ent.measurements);
    const barList = bars(o, sums, large, latency);
    const out = process.stdout;
    out.write(`\nEntity stream ${ent.entity} (${ent.columns} columns, ${o.live ? 'live pages' : 'pre-rendered pages'}):\n${textTable(THROUGHPUT_HEADER, throughputRows(sums))}\n`);
    out.write(`\n1,000-entity org:\n${textTable(ORG_HEADER, orgRows(large))}\n`);
    if (rows) out.write(`\nLarge rows (${int(rows.rows)} x ${rows.memoBytes / 1024} KB):\n${textTable(LARGE_ROWS_HEADER, largeRowsRows(rows))}\n`);
    if (latency) out.write(`\nLatency-bound reads:\n${textTable(LATENCY_HEADER, latencyRows(latency))}\n`);
    if (ent.profile) {
      out.write(`\nConnector profile, self time (${int(ent.profile.size)} rows):\n`);
      out.write(`${textTable(['function (file:line)', 'self ms', 'share'], ent.profile.summary.top.slice(0, 12).map((r) => [r.where, r.selfMs.toFixed(0), `${r.percent.toFixed(1)}%`]))}\n`);
    }
    out.write(`\nAcceptance bars${o.quick ? ' (quick mode: indicative only)' : ''}:\n${textTable(['bar', 'measured', 'result'], barList.map((b) => [b.name, b.value, verdict(b)]))}\n`);
    if (o.docs) {
      if (errors.length > 0) say('not writing docs/benchmarks.md: the run had errors');
      else writeDocs(o, ent, sums, large, barList, facts, latency, rows);
    }
    say(`bench finished in ${secs(performance.now() - started)} s`);
    if (errors.length > 0) {
      say(`\n${errors.length} error(s):\n${errors.map((e) => `- ${e.split('\n')[0]}`).join('\n')}`);
      return 1;
    }
    return o.strict && barList.some((b) => b.pass === false) ? 2 : 0;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function latencyContext(dir: string) {
  return { root: ROOT, bin: BIN, node: NODE, dir, env: childEnv, fail, say };
}

/** The latency section with the page cache off: its tables change between clients, and rendering is inside the modelled time. */
async function runLatencySection(dir: string): Promise<LatencyResults> {
  const enabled = pageCache.enabled;
  pageCache.enabled = false;
  try {
    return await latencyBench(latencyContext(dir));
  } finally {
    pageCache.enabled = enabled;
  }
}

/** `--latency-only`: the latency-bound section alone, printed, saved, and spliced into the docs with --docs. */
async function latencyOnly(o: Options, dir: string): Promise<number> {
  const started = performance.now();
  const latency = await runLatencySection(dir);
  const list = latencyBars(latency);
  process.stdout.write(`\nLatency-bound reads:\n${textTable(LATENCY_HEADER, latencyRows(latency))}\n`);
  process.stdout.write(`\nAcceptance bars (latency-bound section):\n${textTable(['bar', 'measured', 'result'], list.map((b) => [b.name, b.value, verdict(b)]))}\n`);
  say(`latency-bound section finished in ${secs(performance.now() - started)} s`);
  if (errors.length > 0) {
    say(`\n${errors.length} error(s):\n${errors.map((e) => `- ${e.split('\n')[0]}`).join('\n')}`);
    return 1;
  }
  fs.writeFileSync(LAST_LATENCY, JSON.stringify(latency));
  if (o.docs) spliceLatencyDocs(latency, machine());
  return o.strict && list.some((b) => b.pass === false) ? 2 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
