/**
 * `read`: first every input is validated (config, catalog, the state file, each configured
 * stream's own state and its column selection), so a defect anywhere fails before the first record; then, for each configured stream, STARTED, RUNNING with the first page, RECORDs, STATE at each
 * checkpoint with the exact count since the previous one, COMPLETE. A stream that fails is marked
 * INCOMPLETE, the others still run, and the first failure is rethrown at the end (TRACE ERROR).
 */
import { checkSelection, parseCatalog, type ConfiguredStream } from '../config/catalog';
import { readJsonFile } from '../config/config';
import { readStateFile, type StreamStates } from '../config/state';
import { ConfigError } from '../errors';
import {
  logMessage,
  estimateMessage,
  recordBatch,
  streamStateMessage,
  streamStatusMessage,
  type Output,
} from '../protocol/messages';
import type { DeclarativeStream } from '../streams/declarative-stream';
import type { CommandArgs, CommandDeps } from './deps';
import { MemoryGovernor } from './memory';
import { readConfig, sourceFor } from './source-for';

export async function* read(args: CommandArgs, deps: CommandDeps): AsyncGenerator<Output> {
  const config = readConfig(args, deps);
  if (!args.catalog) throw new ConfigError('missing --catalog CONFIGURED_CATALOG.json');
  const { source } = await sourceFor(config, deps);
  const capabilities = source.streams.map((s) => ({ name: s.name, supportedSyncModes: s.supportedSyncModes, cursorField: s.cursorField }));
  const configured = parseCatalog(readJsonFile(args.catalog, '--catalog'), args.catalog, capabilities);
  const states: StreamStates = args.state ? readStateFile(args.state, source.streams.map((s) => s.name)) : new Map();
  const streams = configured.map((entry) => ({ entry, stream: source.streams.find((s) => s.name === entry.name) as DeclarativeStream }));
  // State first: its rules need no request (a resume_link aside), the sync-mode check needs metadata.
  await checkStates(streams.map((s) => s.stream), states);
  await refuseFullRefreshOnly(configured, source.streams, args.catalog);
  await checkSelections(streams);
  let firstFailure: unknown;
  for (const { entry, stream } of streams) {
    try {
      yield* readStream(stream, { syncMode: entry.syncMode, state: states.get(entry.name)?.state, selected: entry.selectedFields }, deps);
    } catch (err) {
      deps.progress?.finish('failed');
      yield streamStatusMessage(stream.name, 'INCOMPLETE', deps.now());
      yield logMessage('ERROR', `stream ${stream.name} failed: ${(err as Error).message}`);
      firstFailure ??= err;
    }
  }
  if (firstFailure !== undefined) throw firstFailure;
}

/**
 * Streams whose sync modes depend on the service (an entity with neither change tracking nor
 * modifiedon): asked only of those the catalog reads incrementally, before anything is read.
 */
async function refuseFullRefreshOnly(configured: ConfiguredStream[], streams: DeclarativeStream[], file: string): Promise<void> {
  for (const entry of configured) {
    if (entry.syncMode !== 'incremental') continue;
    const { fullRefreshReason } = await (streams.find((s) => s.name === entry.name) as DeclarativeStream).capabilities();
    if (fullRefreshReason) {
      throw new ConfigError(`--catalog ${file}: stream "${entry.name}" does not support incremental (supported: full_refresh): ${fullRefreshReason}; set its sync_mode to full_refresh`);
    }
  }
}

/** Each catalog selection against its stream's schema: a property the stream lacks fails the read before any record. */
async function checkSelections(streams: ReadonlyArray<{ entry: ConfiguredStream; stream: DeclarativeStream }>): Promise<void> {
  for (const { entry, stream } of streams) {
    if (!entry.selectedFields) continue;
    const properties = (await stream.jsonSchema()).properties;
    checkSelection(entry, properties && typeof properties === 'object' ? Object.keys(properties) : []);
  }
}

/** Each configured stream checks its saved state; the first problem fails the read, naming where in the file it is. */
async function checkStates(streams: readonly DeclarativeStream[], states: StreamStates): Promise<void> {
  for (const stream of streams) {
    const saved = states.get(stream.name);
    if (!saved) continue;
    try {
      await stream.checkState(saved.state);
    } catch (err) {
      if (err instanceof ConfigError) throw new ConfigError(`${saved.where}: stream "${stream.name}": ${err.message}`);
      throw err;
    }
  }
}

interface StreamRead {
  syncMode: 'full_refresh' | 'incremental';
  state: Record<string, unknown> | undefined;
  /** The catalog's selection (checked already); absent: every property. */
  selected?: string[];
}

async function* readStream(stream: DeclarativeStream, { syncMode, state, selected }: StreamRead, deps: CommandDeps): AsyncGenerator<Output> {
  yield streamStatusMessage(stream.name, 'STARTED', deps.now());
  // A full read's size; an incremental read emits fewer, so only full refreshes are estimated.
  const estimate = syncMode === 'full_refresh' ? await stream.estimate() : undefined;
  if (estimate !== undefined) yield estimateMessage(stream.name, estimate, deps.now());
  deps.progress?.start(stream.name);
  // Records carry exactly the schema's fields, or the catalog's selection of them (ACCEPTANCE: no fields outside the schema).
  const fields = await stream.recordFields(selected);
  const governor = new MemoryGovernor();
  let running = false;
  let sinceCheckpoint = 0;
  let total = 0;
  const started = deps.now();
  for await (const event of stream.read({ syncMode, state, ...(selected && fields ? { fields } : {}) })) {
    if (event.kind === 'records') {
      if (!running) {
        running = true;
        yield streamStatusMessage(stream.name, 'RUNNING', deps.now());
      }
      if (event.records.length > 0) yield recordBatch(stream.name, event.records, deps.now(), fields);
      governor.check();
      sinceCheckpoint += event.records.length;
      total += event.records.length;
      deps.progress?.add(event.records.length);
    } else if (event.kind === 'checkpoint') {
      yield streamStateMessage(stream.name, event.state, sinceCheckpoint);
      sinceCheckpoint = 0;
    } else {
      yield logMessage(event.level, event.message);
    }
  }
  if (!running) yield streamStatusMessage(stream.name, 'RUNNING', deps.now());
  deps.progress?.finish('done');
  yield logMessage('INFO', `stream ${stream.name}: ${total} records in ${((deps.now() - started) / 1000).toFixed(1)} s`);
  yield streamStatusMessage(stream.name, 'COMPLETE', deps.now());
}
