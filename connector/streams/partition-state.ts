/**
 * The state of a partitioned read in progress, under the stream state's `partitions` key:
 *
 *     { "partitions": { "open": [{"key": "k2", "next": "https://...", "page_size": 50}, {"key": "k3"}],
 *                       "done": {"k1": {"deltatoken": "..."}} },
 *       ...the keys the read started from (deltatoken, modifiedon), kept as they were }
 *
 * `open` lists the partitions not finished, in plan order, each with the `next` link of the last
 * page whose records were emitted (absent: nothing of it emitted yet); `done` holds each finished
 * partition's result, for the plan's final state. A resumed read continues only the open
 * partitions, from their links. Once every partition has finished the stream writes the plan's
 * final state, without this key.
 */
import { kindOf, quote } from '../config/quote';
import { ConfigError } from '../errors';
import type { PartitionPlan, ReadPartition } from './partitions';
import { pageSizeProblem } from './state-keys';

export const PARTITIONS_KEY = 'partitions';

/** Longest partition key and page link a state may hold (a Dataverse page link stays far below). */
const MAX_KEY_LENGTH = 1024;
const MAX_LINK_LENGTH = 8192;

const RESTART = 'start from a state printed by this connector';

/** An unfinished partition as saved: its key, the link its read continues from, and the page size that link was read at. */
export interface OpenPartition {
  key: string;
  next?: string;
  /** Only when the partition reads fewer rows per page than configured (large rows, streams/retriever.ts). */
  pageSize?: number;
}

/** The saved progress of a partitioned read. */
export interface PartitionProgress {
  open: OpenPartition[];
  done: Map<string, Record<string, unknown>>;
}

/** A partitioned read ready to run: the plan, where each unfinished partition resumes, and what finished before. */
export interface PlannedRead {
  plan: PartitionPlan;
  open: Array<{ partition: ReadPartition; next?: string; pageSize?: number }>;
  done: Map<string, Record<string, unknown>>;
  /** The keys of the state the read started from, other than `partitions`: kept in every intermediate state. */
  carried: Record<string, unknown>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `state` without its `partitions` key (the part the stream's own state rules apply to). */
export function withoutPartitions(state: Record<string, unknown>): Record<string, unknown> {
  if (!(PARTITIONS_KEY in state)) return state;
  const { [PARTITIONS_KEY]: _omitted, ...rest } = state;
  return rest;
}

/**
 * The validated progress saved in `state`, or undefined when it holds none. Throws a ConfigError
 * naming the first defect: any shape other than the one this connector writes is refused.
 */
export function partitionProgressOf(state: Record<string, unknown> | undefined): PartitionProgress | undefined {
  const saved = state?.[PARTITIONS_KEY];
  if (saved === undefined) return undefined;
  const where = `stream_state ${PARTITIONS_KEY}`;
  if (!isObject(saved)) throw new ConfigError(`${where} is ${kindOf(saved)}, not an object with "open" and "done": ${RESTART}`);
  const extra = Object.keys(saved).filter((k) => k !== 'open' && k !== 'done');
  if (extra.length > 0) throw new ConfigError(`${where} holds ${quote(extra[0])}, which this connector never writes (it keeps "open" and "done"): ${RESTART}`);
  const open = openPartitionsOf(saved.open, `${where}.open`);
  const done = donePartitionsOf(saved.done, `${where}.done`);
  for (const { key } of open) {
    if (done.has(key)) throw new ConfigError(`${where}: partition ${quote(key)} is both open and done: ${RESTART}`);
  }
  return { open, done };
}

function openPartitionsOf(value: unknown, where: string): OpenPartition[] {
  if (!Array.isArray(value)) throw new ConfigError(`${where} is ${kindOf(value)}, not a list of partitions: ${RESTART}`);
  // A read whose partitions all finished writes its final state instead: an empty list was not written here.
  if (value.length === 0) throw new ConfigError(`${where} is empty, but a state with partitions always has one not finished: ${RESTART}`);
  const seen = new Set<string>();
  return value.map((entry, i) => {
    const at = `${where}[${i}]`;
    if (!isObject(entry)) throw new ConfigError(`${at} is ${kindOf(entry)}, not an object with "key" and "next": ${RESTART}`);
    const extra = Object.keys(entry).filter((k) => k !== 'key' && k !== 'next' && k !== 'page_size');
    if (extra.length > 0) throw new ConfigError(`${at} holds ${quote(extra[0])}, which this connector never writes: ${RESTART}`);
    const key = partitionKeyOf(entry.key, `${at}.key`);
    if (seen.has(key)) throw new ConfigError(`${where} lists partition ${quote(key)} twice: ${RESTART}`);
    seen.add(key);
    if (entry.next === undefined) {
      if (entry.page_size !== undefined) throw new ConfigError(`${at} holds "page_size" without "next": ${RESTART}`);
      return { key };
    }
    const next = pageLinkOf(entry.next, `${at}.next`);
    return entry.page_size === undefined ? { key, next } : { key, next, pageSize: pageSizeOf(entry.page_size, `${at}.page_size`) };
  });
}

function donePartitionsOf(value: unknown, where: string): Map<string, Record<string, unknown>> {
  if (!isObject(value)) throw new ConfigError(`${where} is ${kindOf(value)}, not an object of finished partitions: ${RESTART}`);
  const done = new Map<string, Record<string, unknown>>();
  for (const [key, result] of Object.entries(value)) {
    partitionKeyOf(key, `${where} key`);
    if (!isObject(result)) throw new ConfigError(`${where}[${quote(key)}] is ${kindOf(result)}, not an object: ${RESTART}`);
    done.set(key, result);
  }
  return done;
}

function partitionKeyOf(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new ConfigError(`${where} is ${kindOf(value)}, not a string: ${RESTART}`);
  if (value === '' || value.length > MAX_KEY_LENGTH) throw new ConfigError(`${where} is ${value === '' ? 'empty' : `${value.length} characters long`}, not a partition key: ${RESTART}`);
  return value;
}

/** A saved page size (state-keys.ts pageSizeProblem). */
function pageSizeOf(value: unknown, where: string): number {
  const problem = pageSizeProblem(value);
  if (problem) throw new ConfigError(`${where} ${problem}: ${RESTART}`);
  return value as number;
}

/** A saved page link: an absolute http(s) URL. Which host and resource it may name, the requester checks before sending it. */
function pageLinkOf(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new ConfigError(`${where} is ${kindOf(value)}, not a page link: ${RESTART}`);
  if (value.length > MAX_LINK_LENGTH) throw new ConfigError(`${where} is ${value.length} characters long, longer than any page link Dataverse hands out: ${RESTART}`);
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) throw new ConfigError(`${where} ${quote(value)} is not an absolute https link: ${RESTART}`);
  return value;
}

/** The state written between pages of a partitioned read. */
export function partitionedState(carried: Record<string, unknown>, open: ReadonlyMap<string, { next?: string; pageSize?: number }>, done: ReadonlyMap<string, Record<string, unknown>>): Record<string, unknown> {
  const openList = [...open].map(([key, { next, pageSize }]) => (next === undefined ? { key } : pageSize === undefined ? { key, next } : { key, next, page_size: pageSize }));
  return { ...carried, [PARTITIONS_KEY]: { open: openList, done: Object.fromEntries(done) } };
}
