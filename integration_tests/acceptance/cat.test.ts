/**
 * Airbyte's connector acceptance tests, run from acceptance-test-config.yml (at the connector root):
 * every test the file lists runs the built CLI against the emulator (cat-world.ts) and asserts
 * the points of ../shared/airbyte/ACCEPTANCE.md, one named test per point (the bullet is quoted in
 * the test title). The spec bullets about the shape of connectionSpecification are asserted by
 * spec.test.ts (listed in the last spec test here, which fails if they go missing).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import * as YAML from 'yaml';
import { formatDeltaToken, INITIAL_CHANGE_VERSION, DEFAULT_CLOCK_START, DEFAULT_CHANGE_TRACKED_ENTITIES } from '../emulator';
import { records, ROOT, runCli, type CliResult, type Message } from '../helpers/cli';
import {
  catalogMessageProblems,
  cursorProblems,
  keyPathProblems,
  keyTypeProblems,
  pkOf,
  primaryKeyProblems,
  readableMessageProblems,
  recordValidator,
  schemaValidityProblems,
  stateProblems,
  statusProblems,
  syncModeProblems,
  traceErrors,
  typeProblems,
  type Schema,
} from './cat-checks';
import { loadCatConfig, type BasicReadTest, type FullRefreshTest, type IncrementalTest } from './cat-config';
import { CAT_STREAMS, CAT_TABLES, FAILED_CONFIG_MENTIONS, MUTATION_CLOCK, MUTATIONS, startCatWorld, type AppliedMutations, type CatWorld } from './cat-world';
import { missing, normalise, parseExpected, serialise, type ExpectedRecord } from './expected-records';

const CAT = loadCatConfig();
const TESTS = CAT.acceptance_tests;
const UPDATE_EXPECTED = process.env.UPDATE_EXPECTED === '1';

/**
 * Acceptance points that fail because of a known defect, skipped so the suite stays green until
 * it is fixed: key "<section> <stream>" -> the defect. Remove the entry to run the test again.
 */
const KNOWN_DEFECTS: Record<string, string> = {};
/** CAT_RUN_KNOWN_DEFECTS=1 runs them anyway (to reproduce, or to check a fix). */
const testUnlessDefect = (key: string) => (KNOWN_DEFECTS[key] && process.env.CAT_RUN_KNOWN_DEFECTS !== '1' ? test.skip : test);
/** Change-tracked entity streams use delta tokens; the others the modifiedon cursor. */
const tracked = (name: string) => (DEFAULT_CHANGE_TRACKED_ENTITIES as readonly string[]).includes(name);

// ---------------------------------------------------------------------------------------------
// Shared helpers

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));
const lines = (r: CliResult) => r.stdout.split('\n').filter((l) => l.length > 0);

/** The stdout lines of one stream's RECORDs (raw text: strict-integer checks need it). */
const recordLines = (r: CliResult, stream: string) =>
  lines(r).filter((_l, k) => r.messages[k].type === 'RECORD' && r.messages[k].record.stream === stream);

const stateMessages = (messages: Message[], stream: string) =>
  messages.filter((m) => m.type === 'STATE' && m.state.stream?.stream_descriptor?.name === stream);

interface ConfiguredStream {
  stream: Schema;
  sync_mode: string;
  cursor_field?: string[];
  primary_key?: string[][];
  destination_sync_mode: string;
}
const configuredStreams = (file: string): ConfiguredStream[] => readJson(path.join(ROOT, file)).streams;

/** Runs tasks with at most `width` at a time (2 cores: spawned CLIs, each ~0.4 s). */
async function inParallel<T>(tasks: Array<() => Promise<T>>, width = 3): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, tasks.length) }, async () => {
      while (next < tasks.length) {
        const k = next++;
        out[k] = await tasks[k]();
      }
    }),
  );
  return out;
}

/** discover, once per (world, config). */
const discovered = new WeakMap<CatWorld, Map<string, Promise<CliResult>>>();
function discover(world: CatWorld, configPath: string): Promise<CliResult> {
  let byPath = discovered.get(world);
  if (!byPath) discovered.set(world, (byPath = new Map()));
  let result = byPath.get(configPath);
  if (!result) byPath.set(configPath, (result = runCli(['discover', '--config', world.resolve(configPath)])));
  return result;
}
async function discoveredStreams(world: CatWorld, configPath: string): Promise<Record<string, Schema>> {
  const result = await discover(world, configPath);
  const catalog = result.messages.find((m) => m.type === 'CATALOG');
  if (!catalog) throw new Error(`discover printed no CATALOG:\n${result.stdout}\n${result.stderr}`);
  return Object.fromEntries((catalog.catalog.streams as Schema[]).map((s) => [s.name, s]));
}

/** The configured catalog with the discovered json_schema of each stream (as CAT builds it), written to a file. */
function catalogFile(world: CatWorld, streams: ConfiguredStream[], byName: Record<string, Schema>, name: string): string {
  return world.write(name, { streams: streams.map((s) => ({ ...s, stream: { ...s.stream, json_schema: byName[s.stream.name]?.json_schema ?? {} } })) });
}

const read = (world: CatWorld, configPath: string, catalog: string, state?: unknown) =>
  runCli(['read', '--config', world.resolve(configPath), '--catalog', catalog, ...(state === undefined ? [] : ['--state', world.write('state.json', state)])]);

/** The PK of a stream: the configured one, else the source-defined one. */
const primaryKeyOf = (configured: ConfiguredStream | undefined, discoveredStream: Schema): string[][] =>
  configured?.primary_key?.length ? configured.primary_key : discoveredStream.source_defined_primary_key;

// One world for the sections that do not change data; incremental tests get their own.
let world: CatWorld;
beforeAll(async () => {
  world = await startCatWorld();
});
afterAll(() => world?.close());

test('the world the yml describes: account is change tracked, sample_bankaccount is not', () => {
  expect(DEFAULT_CHANGE_TRACKED_ENTITIES).toContain('account');
  expect(DEFAULT_CHANGE_TRACKED_ENTITIES).not.toContain('sample_bankaccount');
});

// ---------------------------------------------------------------------------------------------
// spec

(TESTS.spec?.tests ?? []).forEach((entry, k) => {
  describe(`spec[${k}] spec_path ${entry.spec_path}`, () => {
    let spec: Message;
    beforeAll(async () => {
      const result = await runCli(['spec']);
      expect(result.code).toBe(0);
      expect(result.messages.map((m) => m.type)).toEqual(['SPEC']);
      spec = result.messages[0].spec;
    });

    test('spec: the SPEC printed equals spec_path (connection_specification, documentation_url)', () => {
      const file = YAML.parse(fs.readFileSync(world.resolve(entry.spec_path), 'utf8'));
      expect(spec.connectionSpecification).toEqual(file.connection_specification);
      expect(spec.documentationUrl).toBe(file.documentation_url);
    });

    test('spec: "The sample config validates against connectionSpecification (a valid draft-07 schema)": config_path, sample_config.json; invalid_config.json does not', () => {
      const ajv = new Ajv({ strict: false, allErrors: true });
      addFormats(ajv);
      expect(ajv.validateSchema(spec.connectionSpecification)).toBe(true);
      const validate = ajv.compile(spec.connectionSpecification);
      const configs = [entry.config_path ?? 'secrets/config.json', 'integration_tests/sample_config.json'];
      for (const config of configs) expect([config, validate(readJson(world.resolve(config))) ? [] : validate.errors]).toEqual([config, []]);
      expect(validate(readJson(world.resolve('integration_tests/invalid_config.json')))).toBe(false);
    });

    test('spec: the other spec points are asserted by spec.test.ts', () => {
      const text = fs.readFileSync(path.join(__dirname, 'spec.test.ts'), 'utf8');
      const covered = [
        ['No duplicate enum values. oneOf: ... (anyOf is not allowed)', 'no duplicate enum values; no oneOf without a common const'],
        ['Secret-looking properties ... carry airbyte_secret: true', 'secret-looking scalar properties are airbyte_secret, others are not'],
        ['type is one type or [T, "null"]; arrays have one items schema; ...', 'types are one type or [T, "null"]; arrays have one items schema; objects have properties; forbidden keywords absent'],
        ['No duplicate order values in one group; group only on top-level fields; no unresolved $ref; additionalProperties true', 'order values are unique and group appears only on top-level fields'],
      ];
      for (const [bullet, title] of covered) expect([bullet, text.includes(`test('${title}'`)]).toEqual([bullet, true]);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// connection

(TESTS.connection?.tests ?? []).forEach((entry, k) => {
  describe(`connection[${k}] ${entry.config_path} (status ${entry.status})`, () => {
    let result: CliResult;
    beforeAll(async () => {
      result = await runCli(['check', '--config', world.resolve(entry.config_path)]);
    });

    if (entry.status === 'exception') {
      test('check: "A crash instead yields exactly one TRACE with error.message" (exit 1, no CONNECTION_STATUS)', () => {
        expect(result.code).toBe(1);
        expect(result.messages.filter((m) => m.type === 'CONNECTION_STATUS')).toEqual([]);
        const errors = traceErrors(result.messages);
        expect(errors).toHaveLength(1);
        expect(readableMessageProblems(errors[0].trace.error.message)).toEqual([]);
      });
      return;
    }

    const want = entry.status === 'succeed' ? 'SUCCEEDED' : 'FAILED';
    test(`check: "Exactly one CONNECTION_STATUS message: ${entry.status === 'succeed' ? 'SUCCEEDED for a good config' : 'FAILED for an invalid one (a readable message, no stack dump)'}": ${entry.config_path}`, () => {
      expect(result.code).toBe(0);
      expect(traceErrors(result.messages)).toEqual([]);
      const statuses = result.messages.filter((m) => m.type === 'CONNECTION_STATUS').map((m) => m.connectionStatus);
      expect(statuses.map((s) => s.status)).toEqual([want]);
      if (want === 'SUCCEEDED') return;
      const message = statuses[0].message;
      expect(readableMessageProblems(message)).toEqual([]);
      const mentions = FAILED_CONFIG_MENTIONS[entry.config_path];
      expect([entry.config_path, mentions === undefined ? 'no mentions listed in cat-world.ts' : 'ok']).toEqual([entry.config_path, 'ok']);
      for (const word of mentions) expect(message).toContain(word);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// discovery

(TESTS.discovery?.tests ?? []).forEach((entry, k) => {
  describe(`discovery[${k}] ${entry.config_path}`, () => {
    let result: CliResult;
    let byName: Record<string, Schema>;
    beforeAll(async () => {
      result = await discover(world, entry.config_path);
      byName = await discoveredStreams(world, entry.config_path);
    });

    test('discover: "Exactly one CATALOG message with non-empty, uniquely named streams" (the streams the config asks for)', () => {
      expect(result.code).toBe(0);
      expect(result.messages.filter((m) => m.type !== 'LOG').map((m) => m.type)).toEqual(['CATALOG']);
      expect(catalogMessageProblems(result.messages)).toEqual([]);
      expect(Object.keys(byName)).toEqual(CAT_STREAMS);
    });

    test.each(CAT_STREAMS)('discover: "Every json_schema is a valid draft-07 schema with no $ref, allOf or not": %s', (name) => {
      expect(schemaValidityProblems(byName[name].json_schema)).toEqual([]);
    });

    test.each(CAT_STREAMS)('discover: "default_cursor_field and every primary-key path exist in the schema\'s properties": %s', (name) => {
      expect(byName[name].source_defined_primary_key?.length).toBeGreaterThan(0);
      expect(keyPathProblems(byName[name])).toEqual([]);
    });

    test.each(CAT_STREAMS)('discover: "supported_sync_modes is non-empty. Primary keys are not objects or arrays.": %s', (name) => {
      expect(syncModeProblems(byName[name])).toEqual([]);
      if (entry.validate_primary_keys_data_type !== false) expect(keyTypeProblems(byName[name])).toEqual([]);
    });

    test.each(CAT_STREAMS)('discover: "Types used: null, string, number, integer, boolean, object, array; formats date and date-time; airbyte_type ...": %s', (name) => {
      expect(typeProblems(byName[name].json_schema)).toEqual([]);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// basic_read

function basicRead(entry: BasicReadTest, k: number): void {
  const configured = configuredStreams(entry.configured_catalog_path);
  const names = configured.map((s) => s.stream.name);
  const empty = new Set((entry.empty_streams ?? []).map((s) => s.name));

  describe(`basic_read[${k}] ${entry.config_path} with ${entry.configured_catalog_path}`, () => {
    let result: CliResult;
    let byName: Record<string, Schema>;
    let bogus: Record<string, CliResult>;
    beforeAll(async () => {
      byName = await discoveredStreams(world, entry.config_path);
      const catalog = catalogFile(world, configured, byName, 'basic-read-catalog.json');
      const bogusCatalogs: Record<string, unknown> = {
        'unknown stream': { streams: [{ stream: { name: '__AIRBYTE__stream_that_does_not_exist', json_schema: {}, supported_sync_modes: ['full_refresh'] }, sync_mode: 'full_refresh', destination_sync_mode: 'overwrite' }] },
        'invalid sync_mode': { streams: [{ ...configured[0], sync_mode: 'bogus_sync_mode' }] },
      };
      const runs = await inParallel([
        () => read(world, entry.config_path, catalog),
        ...(entry.expect_trace_message_on_failure === false ? [] : Object.values(bogusCatalogs).map((c) => () => read(world, entry.config_path, world.write('bogus-catalog.json', c)))),
      ]);
      result = runs[0];
      bogus = Object.fromEntries(Object.keys(bogusCatalogs).map((name, j) => [name, runs[j + 1]]));
    });

    test('read: exits 0 without TRACE ERROR', () => {
      expect(traceErrors(result.messages)).toEqual([]);
      expect(result.code).toBe(0);
    });

    test.each(names)('read: "At least one record; every stream has records unless declared empty": %s', (name) => {
      const count = records(result.messages, name).length;
      if (empty.has(name)) return;
      expect(count).toBeGreaterThan(0);
    });

    test('read: no RECORD of a stream outside the configured catalog', () => {
      expect([...new Set(records(result.messages).map((m) => m.record.stream))].filter((s) => !names.includes(s))).toEqual([]);
    });

    test.each(names)('read: "Records validate against their stream schema (draft-07, strict integers: 1.0 is not an integer; date-times must parse); no fields outside the schema": %s', (name) => {
      const validate = recordValidator({ [name]: byName[name].json_schema }, { closed: entry.fail_on_extra_columns !== false });
      const lineList = recordLines(result, name);
      expect(lineList.length).toBe(records(result.messages, name).length);
      expect(lineList.flatMap(validate)).toEqual([]);
    });

    test.each(names)('read: "Primary-key values are present, not lists or objects": %s', (name) => {
      const pk = primaryKeyOf(configured.find((s) => s.stream.name === name), byName[name]);
      expect(pk.length).toBeGreaterThan(0);
      expect(records(result.messages, name).flatMap((m) => primaryKeyProblems(m.record.data, pk))).toEqual([]);
    });

    test.each(names)('read: "Stream status TRACE messages: STARTED, then RUNNING, then COMPLETE, per stream": %s', (name) => {
      expect(statusProblems(result.messages, name)).toEqual([]);
    });

    test.each(names)('read: "At least one STATE per stream, none LEGACY, each with sourceStats" (recordCount = records since the previous state): %s', (name) => {
      expect(stateProblems(result.messages, name)).toEqual([]);
    });

    if (entry.expect_trace_message_on_failure !== false) {
      test.each(['unknown stream', 'invalid sync_mode'])('read: "A read with a bogus catalog (unknown stream, invalid sync_mode) emits at least one TRACE ERROR": %s', (name) => {
        const run = bogus[name];
        expect(run.code).toBe(1);
        expect(records(run.messages)).toEqual([]);
        const errors = traceErrors(run.messages);
        expect(errors.length).toBeGreaterThanOrEqual(1);
        expect(errors[0].trace.error.message).toContain(name === 'unknown stream' ? '__AIRBYTE__stream_that_does_not_exist' : 'bogus_sync_mode');
        expect(readableMessageProblems(errors[0].trace.error.message)).toEqual([]);
      });
    }

    const expectRecords = entry.expect_records;
    if (expectRecords?.path) {
      const file = path.join(ROOT, expectRecords.path);
      const actual = (): ExpectedRecord[] => records(result.messages).map((m) => ({ stream: m.record.stream, data: normalise(m.record.data, world.emulator.orgUrl) }));

      test(`read: expect_records: the file is up to date with the emulator world (UPDATE_EXPECTED=1 rewrites ${expectRecords.path})`, () => {
        const text = serialise(actual());
        if (UPDATE_EXPECTED) fs.writeFileSync(file, text);
        expect(fs.existsSync(file)).toBe(true);
        expect(fs.readFileSync(file, 'utf8')).toBe(text);
      });

      test(`read: expect_records: every record of ${expectRecords.path} is in the output (stream and data; emitted_at ignored; exact_order ${expectRecords.exact_order ? 'yes' : 'no'})`, () => {
        const expected = parseExpected(fs.readFileSync(file, 'utf8'));
        expect(new Set(expected.map((r) => r.stream))).toEqual(new Set(names.filter((n) => !empty.has(n))));
        const got = actual();
        expect(missing(expected, got)).toEqual([]);
        if (expectRecords.exact_order) {
          const order = (list: ExpectedRecord[]) => list.map((r) => serialise([r]));
          const wanted = new Set(order(expected));
          expect(order(got).filter((l) => wanted.has(l))).toEqual(order(expected));
        }
      });
    }
  });
}
(TESTS.basic_read?.tests ?? []).forEach(basicRead);

// ---------------------------------------------------------------------------------------------
// full_refresh

function fullRefresh(entry: FullRefreshTest, k: number): void {
  const configured = configuredStreams(entry.configured_catalog_path);
  const names = configured.map((s) => s.stream.name);
  const dropIgnored = (name: string, data: Record<string, unknown>) => {
    const copy = { ...data };
    for (const f of entry.ignored_fields?.[name] ?? []) delete copy[f.name];
    return JSON.stringify(copy);
  };

  describe(`full_refresh[${k}] ${entry.config_path} with ${entry.configured_catalog_path} (every stream in full_refresh)`, () => {
    let first: CliResult;
    let second: CliResult;
    let byName: Record<string, Schema>;
    beforeAll(async () => {
      byName = await discoveredStreams(world, entry.config_path);
      const catalog = catalogFile(world, configured.map((s) => ({ ...s, sync_mode: 'full_refresh', destination_sync_mode: 'overwrite' })), byName, 'full-refresh-catalog.json');
      first = await read(world, entry.config_path, catalog);
      second = await read(world, entry.config_path, catalog);
    });

    test('full refresh: both reads exit 0 and every stream has records', () => {
      expect([first.code, second.code]).toEqual([0, 0]);
      for (const name of names) expect([name, records(first.messages, name).length > 0]).toEqual([name, true]);
    });

    test.each(names)('full refresh: "Two reads in a row: every record of the first is in the second (by primary key)" (same data): %s', (name) => {
      const pk = primaryKeyOf(configured.find((s) => s.stream.name === name), byName[name]);
      const secondByPk = new Map(records(second.messages, name).map((m) => [pkOf(m.record.data, pk), dropIgnored(name, m.record.data)]));
      const lost = records(first.messages, name).filter((m) => secondByPk.get(pkOf(m.record.data, pk)) !== dropIgnored(name, m.record.data));
      expect(lost.map((m) => m.record.data)).toEqual([]);
    });

    test('full refresh: "the second\'s emitted_at values are all later than the first\'s"', () => {
      const firstMax = Math.max(...records(first.messages).map((m) => m.record.emitted_at));
      const secondMin = Math.min(...records(second.messages).map((m) => m.record.emitted_at));
      expect(Number.isFinite(firstMax) && Number.isFinite(secondMin)).toBe(true);
      expect(secondMin).toBeGreaterThan(firstMax);
    });
  });
}
(TESTS.full_refresh?.tests ?? []).forEach(fullRefresh);

// ---------------------------------------------------------------------------------------------
// incremental

function incremental(entry: IncrementalTest, k: number): void {
  const configured = configuredStreams(entry.configured_catalog_path).filter((s) => s.sync_mode === 'incremental');
  const names = configured.map((s) => s.stream.name);
  const futurePath = entry.future_state?.future_state_path;
  const missingFuture = new Set((entry.future_state?.missing_streams ?? []).map((s) => s.name));

  describe(`incremental[${k}] ${entry.config_path} with the incremental streams of ${entry.configured_catalog_path}`, () => {
    let inc: CatWorld;
    let byName: Record<string, Schema>;
    let catalog: string;
    let first: CliResult;
    /** stream -> one resumed read per STATE of read 1 */
    const resumed: Record<string, CliResult[]> = {};
    let future: CliResult | undefined;
    let mutations: Record<string, AppliedMutations>;
    let second: CliResult;
    const pk = (name: string) => primaryKeyOf(configured.find((s) => s.stream.name === name), byName[name]);
    const finalStates = (r: CliResult) =>
      names.map((name) => stateMessages(r.messages, name).at(-1)).filter((m): m is Message => m !== undefined).map((m) => m.state);

    beforeAll(async () => {
      inc = await startCatWorld();
      byName = await discoveredStreams(inc, entry.config_path);
      catalog = catalogFile(inc, configured, byName, 'incremental-catalog.json');
      first = await read(inc, entry.config_path, catalog);
      // Resume from every STATE of read 1, stream by stream, before anything changes.
      const tasks: Array<() => Promise<void>> = [];
      for (const name of names) {
        const one = catalogFile(inc, configured.filter((s) => s.stream.name === name), byName, `incremental-${name}.json`);
        resumed[name] = [];
        stateMessages(first.messages, name).forEach((m, j) =>
          tasks.push(async () => {
            resumed[name][j] = await read(inc, entry.config_path, one, [m.state]);
          }),
        );
      }
      if (futurePath) tasks.push(async () => void (future = await read(inc, entry.config_path, catalog, readJson(inc.resolve(futurePath)))));
      await inParallel(tasks);
      mutations = inc.mutate();
      second = await read(inc, entry.config_path, catalog, finalStates(first));
    });
    afterAll(() => inc?.close());

    test.each(names)('incremental: "Incremental streams have a cursor field (declared or source-defined)": %s', (name) => {
      expect(cursorProblems(byName[name], configured.find((s) => s.stream.name === name))).toEqual([]);
    });

    test.each(names)('incremental: "Read 1 emits at least one STATE and one RECORD" (every row; final state at the end of the data): %s', (name) => {
      expect(first.code).toBe(0);
      expect(stateMessages(first.messages, name).length).toBeGreaterThanOrEqual(1);
      expect(records(first.messages, name)).toHaveLength(CAT_TABLES[name as keyof typeof CAT_TABLES]);
      const last = stateMessages(first.messages, name).at(-1)!.state.stream.stream_state;
      const lastModified = records(first.messages, name).map((m) => m.record.data.modifiedon as string).sort().at(-1);
      expect(last).toEqual(tracked(name) ? { deltatoken: formatDeltaToken(INITIAL_CHANGE_VERSION, new Date(DEFAULT_CLOCK_START)) } : { modifiedon: lastModified });
    });

    test.each(names)('incremental: "recordCount must be exact": every STATE of read 1 counts the records since the previous one: %s', (name) => {
      expect(stateMessages(first.messages, name).length).toBeGreaterThan(1); // several pages, so intermediate states exist
      expect(stateProblems(first.messages, name)).toEqual([]);
    });

    test.each(names)('incremental: "Resuming from any intermediate STATE yields at least the records that the remaining states\' recordCounts add up to": %s, from every STATE of read 1', (name) => {
      const states = stateMessages(first.messages, name);
      const firstRecords = first.messages.filter((m) => (m.type === 'RECORD' && m.record.stream === name) || (m.type === 'STATE' && states.includes(m)));
      const report = states.map((_s, j) => {
        const remaining = states.slice(j + 1).reduce((n, s) => n + s.state.sourceStats.recordCount, 0);
        const after = firstRecords.slice(firstRecords.indexOf(states[j]) + 1).filter((m) => m.type === 'RECORD').map((m) => pkOf(m.record.data, pk(name)));
        const run = resumed[name][j];
        const got = new Set(records(run.messages, name).map((m) => pkOf(m.record.data, pk(name))));
        return {
          state: j,
          code: run.code,
          enough: records(run.messages, name).length >= remaining,
          missingPks: after.filter((id) => !got.has(id)),
          remainingMatchesRead1: after.length === remaining,
        };
      });
      expect(report).toEqual(states.map((_s, j) => ({ state: j, code: 0, enough: true, missingPks: [], remainingMatchesRead1: true })));
    });

    test.each(names)('incremental: "read 2 from read 1\'s final per-stream state emits different records (only what changed)": %s', (name) => {
      expect(second.code).toBe(0);
      const m = mutations[name];
      const got = records(second.messages, name).map((r) => r.record.data);
      const ids = got.map((d) => d[pk(name)[0][0]] as string);
      expect(new Set(ids).size).toBe(ids.length);
      if (tracked(name)) {
        // Change tracking: updated and inserted rows, and the deleted ones as CDC deletes.
        expect(new Set(ids)).toEqual(new Set([...m.updated, ...m.inserted, ...m.deleted]));
        for (const d of got) {
          const id = d[pk(name)[0][0]] as string;
          if (m.deleted.includes(id)) {
            expect(Object.keys(d).sort()).toEqual(['_ab_cdc_deleted_at', '_ab_cdc_updated_at', pk(name)[0][0]].sort());
            expect(d._ab_cdc_deleted_at).toBe(d._ab_cdc_updated_at);
            expect(Number.isNaN(Date.parse(d._ab_cdc_deleted_at as string))).toBe(false);
          } else {
            expect([id, d.modifiedon, d._ab_cdc_updated_at, d._ab_cdc_deleted_at]).toEqual([id, MUTATION_CLOCK, MUTATION_CLOCK, null]);
          }
        }
        const token = stateMessages(second.messages, name).at(-1)!.state.stream.stream_state;
        expect(token).toEqual({ deltatoken: formatDeltaToken(inc.emulator.tables.changeVersion(), new Date(MUTATION_CLOCK)) });
      } else {
        // modifiedon ge the read-1 cursor: the changed rows, plus the boundary row read 1 ended on.
        const boundary = inc.emulator.tables.idAt(name, CAT_TABLES[name as keyof typeof CAT_TABLES] - 1);
        expect(MUTATIONS[name].update.concat(MUTATIONS[name].delete)).not.toContain(CAT_TABLES[name as keyof typeof CAT_TABLES] - 1);
        expect(new Set(ids)).toEqual(new Set([...m.updated, ...m.inserted, boundary]));
        for (const d of got) if (d[pk(name)[0][0]] !== boundary) expect(d.modifiedon).toBe(MUTATION_CLOCK);
        expect(stateMessages(second.messages, name).at(-1)!.state.stream.stream_state).toEqual({ modifiedon: MUTATION_CLOCK });
      }
      // Whatever is emitted is the table as it is now.
      // `<lookup>__lookuplogicalname` is the row's lookuplogicalname annotation (polymorphic lookups).
      const now = new Map(inc.emulator.tables.rows(name, { logicalName: true }).map((row) => [row[pk(name)[0][0]] as string, row]));
      const source = (key: string) => key.replace(/__lookuplogicalname$/, '@Microsoft.Dynamics.CRM.lookuplogicalname');
      for (const d of got) {
        const row = now.get(d[pk(name)[0][0]] as string);
        if (!row) continue; // deleted
        const shown = Object.fromEntries(Object.keys(d).filter((key) => !key.startsWith('_ab_cdc_')).map((key) => [key, row[source(key)] ?? null]));
        expect({ ...d, _ab_cdc_updated_at: undefined, _ab_cdc_deleted_at: undefined }).toEqual({ ...shown, _ab_cdc_updated_at: undefined, _ab_cdc_deleted_at: undefined });
      }
      expect(stateProblems(second.messages, name)).toEqual([]);
    });

    if (futurePath) {
      for (const name of names) {
        const key = `future_state ${name}`;
        testUnlessDefect(key)(`incremental: "A read from an abnormally large ("future") state emits no records and at least one STATE": ${name} from ${futurePath}`, () => {
          if (missingFuture.has(name)) return;
          const state = readJson(inc.resolve(futurePath)) as Message[];
          expect(state.map((s) => s.stream.stream_descriptor.name)).toContain(name);
          expect(future!.code).toBe(0);
          expect(records(future!.messages, name).map((m) => pkOf(m.record.data, pk(name)))).toEqual([]);
          expect(stateMessages(future!.messages, name).length).toBeGreaterThanOrEqual(1);
        });
      }
      test(`incremental: ${futurePath} holds a state for every incremental stream (or lists it in missing_streams)`, () => {
        const state = readJson(inc.resolve(futurePath)) as Message[];
        const covered = new Set(state.map((s) => s.stream.stream_descriptor.name));
        expect(names.filter((n) => !covered.has(n) && !missingFuture.has(n))).toEqual([]);
      });
    }
  });
}
(TESTS.incremental?.tests ?? []).forEach(incremental);

// ---------------------------------------------------------------------------------------------
// integration_tests/sample_state.json (not a CAT input; Airbyte's convention for an example state)

describe('integration_tests/sample_state.json', () => {
  let sample: CatWorld;
  let result: CliResult;
  beforeAll(async () => {
    sample = await startCatWorld();
    const byName = await discoveredStreams(sample, 'secrets/config.json');
    const configured = configuredStreams('integration_tests/acceptance/configured_catalog.json').filter((s) => s.sync_mode === 'incremental');
    result = await read(sample, 'secrets/config.json', catalogFile(sample, configured, byName, 'sample-state-catalog.json'), readJson(sample.resolve('integration_tests/sample_state.json')));
  });
  afterAll(() => sample?.close());

  test('a read resumes from it: account from the current delta token (nothing new), sample_bankaccount from 00:09 (rows 9 to 11)', () => {
    expect(result.code).toBe(0);
    expect(records(result.messages, 'account')).toEqual([]);
    expect(records(result.messages, 'sample_bankaccount').map((m) => m.record.data.modifiedon)).toEqual(['2023-01-01T00:09:00Z', '2023-01-01T00:10:00Z', '2023-01-01T00:11:00Z']);
    expect(stateProblems(result.messages, 'account')).toEqual([]);
    expect(stateProblems(result.messages, 'sample_bankaccount')).toEqual([]);
  });
});
