/**
 * The entity_metadata and attribute_metadata streams. Their scope is the config `entities`
 * selection (names, `*`, globs such as `msdyn_*`), else every table of the environment; one
 * EntityDefinitions request lists every table with what entity_metadata needs, shared by both
 * streams. Columns come in `$batch`es: per table the Attributes list and one part per cast that
 * carries a property the base type does not (MaxLength, Precision, Targets, OptionSet, ...), so a
 * 1,000-table org costs about 17 requests for both streams, each answer small.
 */
import { ConfigError, ResponseError } from '../errors';
import type { BatchPartResponse } from '../http/batch';
import type { HttpRequester, Renderable } from '../http/requester';
import { buildUrl } from '../http/url';
import type { Page, Retriever } from '../streams/retriever';
import type { StreamContext, StreamRecord } from '../streams/types';
import type { ErrorContext } from './error-messages';
import { attributeRecord, entityRecord } from './metadata-records';

type Json = Record<string, unknown>;

/** Missing names listed in a message: the first few, then how many more. */
const LISTED_MISSING = 10;

/** A selection item as a test: `*` any table, `msdyn_*` a glob, else the exact logical name. */
function matcher(item: string): (name: string) => boolean {
  if (!item.includes('*')) return (name) => name === item;
  const pattern = new RegExp(`^${item.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return (name) => pattern.test(name);
}

/**
 * The tables in scope, listed once per run for both metadata streams (a shared component: built
 * once per identical definition).
 */
export class MetadataScope {
  private loading?: Promise<Json[]>;

  constructor(
    private readonly entities: Renderable,
    private readonly definitionsRequester: HttpRequester,
    private readonly errorContext: ErrorContext,
  ) {}

  /** The EntityDefinitions items in scope, by logical name. */
  definitions(context: StreamContext): Promise<Json[]> {
    this.loading ??= this.load(context);
    return this.loading;
  }

  private async load(context: StreamContext): Promise<Json[]> {
    const response = await this.definitionsRequester.send(context);
    const value = (response.body as { value?: unknown } | null)?.value;
    if (!Array.isArray(value)) throw new ResponseError('the EntityDefinitions answer holds no value list');
    const all = (value as Json[]).filter((d) => typeof d.LogicalName === 'string').sort((a, b) => String(a.LogicalName).localeCompare(String(b.LogicalName)));
    const selection = this.entities.render(context);
    if (!Array.isArray(selection) || selection.length === 0) return all;
    const items = selection.map((s) => String(s).trim().toLowerCase());
    const tests = items.map(matcher);
    const missing = items.filter((item, i) => !item.includes('*') && !all.some((d) => tests[i](String(d.LogicalName))));
    if (missing.length > 0) {
      const listed = missing.slice(0, LISTED_MISSING).map((m) => `"${m}"`).join(', ');
      const more = missing.length > LISTED_MISSING ? ` and ${missing.length - LISTED_MISSING} more` : '';
      throw new ConfigError(
        `config entities: ${listed}${more} ${missing.length === 1 ? 'does' : 'do'} not exist in ${this.errorContext.orgUrl}; use table logical names (e.g. account, opportunity)`,
      );
    }
    return all.filter((d) => tests.some((test) => test(String(d.LogicalName))));
  }
}

/** entity_metadata: one record per table in scope, from the scope's one request. */
export class EntityMetadataRetriever implements Retriever {
  constructor(private readonly scope: MetadataScope) {}

  async *read(context: StreamContext): AsyncGenerator<Page> {
    yield { records: (await this.scope.definitions(context)).map(entityRecord) };
  }
}

/** A declared Attributes query, rendered with `stream_partition.entity`. */
export interface ColumnQuery {
  path: Renderable;
  requestParameters: Renderable;
}

export interface AttributeMetadataOptions {
  scope: MetadataScope;
  requester: HttpRequester;
  /** The base Attributes list: one item per column. */
  attributesQuery: ColumnQuery;
  /** Casts adding derived properties to the columns of their type, merged by LogicalName. */
  detailQueries: ColumnQuery[];
  /** Parts per `$batch` (at most 1,000); a table's parts always share one batch. */
  batchSize: number;
}

/** attribute_metadata: one record per column of every table in scope, one page per `$batch`. */
export class AttributeMetadataRetriever implements Retriever {
  constructor(private readonly options: AttributeMetadataOptions) {}

  async *read(context: StreamContext): AsyncGenerator<Page> {
    const names = (await this.options.scope.definitions(context)).map((d) => String(d.LogicalName));
    const queries = [this.options.attributesQuery, ...this.options.detailQueries];
    const perBatch = Math.max(1, Math.floor(this.options.batchSize / queries.length));
    for (let start = 0; start < names.length; start += perBatch) {
      const batch = names.slice(start, start + perBatch);
      const parts = batch.flatMap((entity) => queries.map((q) => partPath(q, context, entity)));
      const answers = await this.options.requester.sendBatch(context, parts);
      if (answers.length !== parts.length) throw new ResponseError(`the $batch answer holds ${answers.length} parts for ${parts.length} requests`);
      const records: StreamRecord[] = [];
      batch.forEach((entity, i) => {
        const own = answers.slice(i * queries.length, (i + 1) * queries.length);
        records.push(...this.columnsOf(entity, own, parts.slice(i * queries.length)));
      });
      yield { records };
    }
  }

  private columnsOf(entity: string, answers: BatchPartResponse[], paths: string[]): StreamRecord[] {
    const details = new Map<string, Json>();
    for (let k = 1; k < answers.length; k++) {
      for (const item of this.values(answers[k], entity, paths[k])) {
        const name = String(item.LogicalName);
        const merged = details.get(name) ?? {};
        for (const [key, value] of Object.entries(item)) if (key !== 'LogicalName' && key !== 'MetadataId' && !key.startsWith('@')) merged[key] = value;
        details.set(name, merged);
      }
    }
    return this.values(answers[0], entity, paths[0]).map((item) => attributeRecord(entity, item, details.get(String(item.LogicalName))));
  }

  private values(part: BatchPartResponse, entity: string, path: string): Json[] {
    if (part.status < 200 || part.status >= 300) throw this.options.requester.partError(part, `the column metadata of ${entity} (GET ${path.split('?')[0]})`);
    const value = (part.body as { value?: unknown } | null)?.value;
    if (!Array.isArray(value)) throw new ResponseError(`the column metadata of ${entity} (GET ${path.split('?')[0]}) holds no value list`);
    return value as Json[];
  }
}

function partPath(query: ColumnQuery, context: StreamContext, entity: string): string {
  const ctx = { ...context, stream_partition: { entity }, stream_slice: { entity } };
  return buildUrl('', String(query.path.render(ctx)), (query.requestParameters.render(ctx) ?? {}) as Record<string, unknown>).replace(/^\//, '');
}
