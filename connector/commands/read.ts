/**
 * `read`: first every input is validated (config, catalog, the state file, each configured
 * stream's own state and its column selection), so a defect anywhere fails before the first
 * record; then the scheduler (scheduler.ts) reads the streams, concurrently up to the worker
 * count: per stream STARTED, RUNNING with the first page, RECORDs, STATE at each checkpoint with
 * the exact count since the previous one, COMPLETE. A stream that fails is marked INCOMPLETE, the
 * others still run, and the first failure is rethrown at the end (TRACE ERROR).
 */
import { checkSelection, parseCatalog, type ConfiguredStream } from '../config/catalog';
import { readJsonFile, type Config } from '../config/config';
import { readStateFile, type StreamStates } from '../config/state';
import { ConfigError } from '../errors';
import type { Output } from '../protocol/messages';
import type { DeclarativeStream } from '../streams/declarative-stream';
import type { CommandArgs, CommandDeps } from './deps';
import { MemoryGovernor } from './memory';
import { schedule } from './scheduler';
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
  await checkStates(streams, states);
  await refuseFullRefreshOnly(configured, source.streams, args.catalog);
  await checkSelections(streams);
  const workers = deps.workers ?? workersFrom(deps, config);
  // One per process: every stream's pages count against one heap.
  const governor = new MemoryGovernor(workers);
  const tasks = streams.map(({ entry, stream }) => ({ stream, syncMode: entry.syncMode, state: states.get(entry.name)?.state, selected: entry.selectedFields }));
  yield* schedule(tasks, { now: deps.now, progress: deps.progress, workers, governor });
}

/**
 * The worker count, asked each time a stream or partition could start: the throttle gate's limit
 * (`max_parallel_requests`, else the service's dop hint, lowered after execution-time 429s).
 * Memory does not bound it: the process's page slots (http/page-slots.ts) bound the pages held.
 * Without a gate (a caller that injects none), the config's `max_parallel_requests` (validated by
 * the spec: 1 to 52), else 1.
 */
function workersFrom(deps: CommandDeps, config: Config): () => number {
  const gate = deps.http.gate;
  if (gate) return () => gate.limit;
  const configured = config.max_parallel_requests ?? 1;
  return () => configured;
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
async function checkStates(streams: ReadonlyArray<{ entry: ConfiguredStream; stream: DeclarativeStream }>, states: StreamStates): Promise<void> {
  for (const { entry, stream } of streams) {
    const saved = states.get(stream.name);
    if (!saved) continue;
    try {
      await stream.checkState(saved.state, entry.syncMode);
    } catch (err) {
      if (err instanceof ConfigError) throw new ConfigError(`${saved.where}: stream "${stream.name}": ${err.message}`);
      throw err;
    }
  }
}
