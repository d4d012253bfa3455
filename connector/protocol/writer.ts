/**
 * The one writer to stdout. Lines are batched (records are small and many) and flushed before
 * any non-RECORD message, so a STATE never overtakes the records it covers, and the writer waits
 * for 'drain' when the pipe is full instead of buffering without bound.
 */
import type { Output, RecordBatch } from './messages';
import type { Redactor } from './redactor';

/** What the writer needs of stdout: a Node writable stream or a test double. */
export interface LineSink {
  write(chunk: string): boolean;
  once(event: 'drain' | 'error' | 'close', listener: (...args: unknown[]) => void): unknown;
  removeListener(event: 'drain' | 'error' | 'close', listener: (...args: unknown[]) => void): unknown;
}

const FLUSH_AT = 64 * 1024;
const LEVEL_RANK: Record<string, number> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4, FATAL: 5 };

export class MessageWriter {
  private buffer = '';
  private count = 0;

  private minimumLogRank = LEVEL_RANK.INFO;

  constructor(
    private readonly sink: LineSink,
    private readonly redactor?: Redactor,
  ) {}

  /** LOG messages below `level` (DEBUG, INFO, WARN, ERROR) are dropped. */
  setLogLevel(level: string): void {
    this.minimumLogRank = LEVEL_RANK[level.toUpperCase()] ?? LEVEL_RANK.INFO;
  }

  /** Number of messages written (flushed or buffered). */
  get written(): number {
    return this.count;
  }

  /** Queues one message or batch; resolves once it is safe to continue (the sink has room). */
  async write(message: Output): Promise<void> {
    if (message.type === 'RECORD_BATCH') return this.writeBatch(message);
    this.count++;
    if (message.type === 'RECORD') {
      this.buffer += JSON.stringify(message) + '\n';
      if (this.buffer.length >= FLUSH_AT) await this.flush();
      return;
    }
    if (message.type === 'LOG' && (LEVEL_RANK[message.log.level] ?? 0) < this.minimumLogRank) return;
    let line = JSON.stringify(message);
    if (this.redactor) line = this.redactor.redact(line);
    this.buffer += line + '\n';
    await this.flush();
  }

  /** One RECORD line per record, the stream name and timestamp serialised once for the batch. */
  private async writeBatch(batch: RecordBatch): Promise<void> {
    const head = `{"type":"RECORD","record":{"stream":${JSON.stringify(batch.stream)},"data":`;
    const tail = `,"emitted_at":${batch.emittedAt}}}\n`;
    const keys = batch.fields ? this.keysFor(batch.fields) : undefined;
    const fieldSet = batch.fields ? this.fieldSetFor(batch.fields) : undefined;
    for (const record of batch.records) {
      this.buffer += head + (keys && fieldSet ? serializeProjected(record, keys, fieldSet) : JSON.stringify(record)) + tail;
      if (this.buffer.length >= FLUSH_AT) await this.flush();
    }
    this.count += batch.records.length;
  }

  private keyCache?: { fields: readonly string[]; keys: ProjectedKey[] };

  /** `"name":` prefixes built once per field list, not once per record. */
  private keysFor(fields: readonly string[]): ProjectedKey[] {
    if (this.keyCache?.fields !== fields) this.keyCache = { fields, keys: fields.map((name) => ({ name, prefix: `${JSON.stringify(name)}:` })) };
    return this.keyCache.keys;
  }

  private fieldSetCache?: { fields: readonly string[]; set: ReadonlySet<string> };

  private fieldSetFor(fields: readonly string[]): ReadonlySet<string> {
    if (this.fieldSetCache?.fields !== fields) this.fieldSetCache = { fields, set: new Set(fields) };
    return this.fieldSetCache.set;
  }

  /** Hands everything buffered to the sink and waits for it to drain if it asks us to. */
  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const chunk = this.buffer;
    this.buffer = '';
    if (this.sink.write(chunk)) return;
    await new Promise<void>((resolve, reject) => {
      const onDrain = () => {
        cleanup();
        resolve();
      };
      const onError = (err: unknown) => {
        cleanup();
        reject(err);
      };
      const onClose = () => {
        cleanup();
        resolve();
      };
      const cleanup = () => {
        this.sink.removeListener('drain', onDrain);
        this.sink.removeListener('error', onError);
        this.sink.removeListener('close', onClose);
      };
      this.sink.once('drain', onDrain);
      this.sink.once('error', onError);
      this.sink.once('close', onClose);
    });
  }
}

/**
 * The record's JSON with only the schema's fields. A row usually holds exactly the schema's
 * fields, often after one leading string member the schema does not list (a row version tag such
 * as Dataverse's etag): then the native JSON.stringify of the whole row, with that first member cut
 * off, is the answer at a fraction of the cost of building it field by field. Any other row
 * (annotations, unasked columns) goes through `projectRecord`.
 */
export function serializeProjected(record: Record<string, unknown>, keys: readonly ProjectedKey[], fields: ReadonlySet<string>): string {
  let first = true;
  let leading: string | undefined;
  for (const key in record) {
    if (first && !fields.has(key)) leading = key;
    else if (!fields.has(key)) return projectRecord(record, keys);
    first = false;
  }
  const json = JSON.stringify(record);
  if (leading === undefined) return json;
  const value = record[leading];
  if (typeof value !== 'string') return projectRecord(record, keys);
  const member = `{${JSON.stringify(leading)}:${JSON.stringify(value)}`;
  if (!json.startsWith(member)) return projectRecord(record, keys);
  const rest = json.slice(member.length);
  return rest === '}' ? '{}' : `{${rest.slice(1)}`;
}

interface ProjectedKey {
  name: string;
  prefix: string;
}

/**
 * The JSON of `record` restricted to `keys`, in their order, leaving out undefined values (as
 * JSON.stringify does). Faster than building a trimmed copy or deleting keys: the parsed row keeps
 * its fast shape and nothing is allocated but the output string.
 */
export function projectRecord(record: Record<string, unknown>, keys: readonly ProjectedKey[]): string {
  let out = '';
  for (const key of keys) {
    const value = record[key.name];
    if (value === undefined) continue;
    let json: string;
    if (value === null) json = 'null';
    else if (typeof value === 'number') json = Number.isFinite(value) ? String(value) : 'null';
    else if (typeof value === 'boolean') json = value ? 'true' : 'false';
    else json = JSON.stringify(value);
    out += (out === '' ? '{' : ',') + key.prefix + json;
  }
  return out === '' ? '{}' : `${out}}`;
}
