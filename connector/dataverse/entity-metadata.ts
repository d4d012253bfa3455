/**
 * The metadata of the configured entities, loaded once per run for all of them: EntityDefinitions
 * filtered to the configured names, and `$batch`es with each entity's attribute list, DateTime
 * behaviours and lookup targets. Only the configured entities are ever queried, so a 1,000-entity
 * org costs the same as a 3-entity one. Patterns in `entities` (`*`, `msdyn_*`) cost one unfiltered
 * listing instead, whose definitions then replace the filtered requests.
 *
 * Many entities: the name filter goes out in chunks whose URLs stay far below the GET limit (32 KB
 * on the service, 16 KB on a default Node server, which answers 431), and a `$batch` holds at
 * most 1,000 parts (facts §8), so 600 entities cost a handful of requests, never a 4xx.
 */
import { attributeInfoOf, type AttributeInfo } from './attribute-info';
import { ConfigError, ResponseError } from '../errors';
import type { BatchPartResponse } from '../http/batch';
import { parseDataverseError } from '../http/error-body';
import type { HttpRequester, Renderable } from '../http/requester';
import { buildUrl } from '../http/url';
import { DataverseError } from '../errors';
import { describeDataverseError, type ErrorContext } from './error-messages';
import { expandPatterns } from './entity-patterns';

export type { AttributeInfo } from './attribute-info';

export interface EntityInfo {
  logicalName: string;
  entitySetName: string;
  primaryIdAttribute: string;
  changeTracking: boolean;
  attributes: AttributeInfo[];
}

/** A declared metadata query, rendered with `stream_partition.entity`. */
export interface MetadataQuery {
  path: Renderable;
  requestParameters: Renderable;
}

export interface EntityMetadataOptions {
  entities: Renderable;
  definitionsRequester: HttpRequester;
  /** Every EntityDefinition, unfiltered (one request): what `entities` patterns are matched against. */
  catalogRequester?: HttpRequester;
  /** RetrieveTotalRecordCount for the configured entities: row estimates, optional. */
  countsRequester?: HttpRequester;
  batchRequester: HttpRequester;
  attributesQuery: MetadataQuery;
  dateTimeQuery: MetadataQuery;
  /** LookupAttributeMetadata Targets: which lookups are polymorphic. Optional. */
  lookupQuery?: MetadataQuery;
  errorContext: ErrorContext;
}

/** Dataverse takes at most 1,000 requests in one `$batch` (facts §8). */
export const MAX_BATCH_PARTS = 1000;

/**
 * Characters of entity names (plus their share of the template around each) in one filtered
 * request: about 8 KB, half a default Node server's 16 KB header limit and a quarter of the
 * service's 32 KB URL limit, whatever the rest of the URL holds.
 */
export const NAME_CHARS_PER_REQUEST = 8000;
/** What one name adds to a URL besides itself: `' or LogicalName eq '` percent-encoded, or `","`. */
const PER_NAME_OVERHEAD = 40;

/** Splits names into runs whose rendered URLs stay within {@link NAME_CHARS_PER_REQUEST}. */
export function chunkNames(names: readonly string[], budget = NAME_CHARS_PER_REQUEST): string[][] {
  const chunks: string[][] = [];
  let current: string[] = [];
  let used = 0;
  for (const name of names) {
    const cost = encodeURIComponent(name).length + PER_NAME_OVERHEAD;
    if (current.length > 0 && used + cost > budget) {
      chunks.push(current);
      current = [];
      used = 0;
    }
    current.push(name);
    used += cost;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** Missing names listed in a message: the first few, then how many more. */
const LISTED_MISSING = 10;

export class EntityMetadataProvider {
  private loading?: Promise<Map<string, EntityInfo>>;
  private counting?: Promise<Map<string, number>>;
  /** The definitions listed to expand patterns, by logical name: the load then needs no filtered request. */
  private listed?: Map<string, Record<string, unknown>>;

  constructor(private readonly options: EntityMetadataOptions) {}

  /** The configured entity names, in config order. */
  configured(context: Record<string, unknown>): string[] {
    const value = this.options.entities.render(context);
    return Array.isArray(value) ? [...new Set(value.map((v) => String(v).toLowerCase()))] : [];
  }

  /**
   * `items` (config `entities`) with every pattern matched against the org's definitions, listed
   * with one request; tables without an entity set are not readable through the Web API, so no
   * pattern stands for them. The listed definitions serve the load that follows.
   */
  async expandPatterns(context: Record<string, unknown>, items: readonly string[], reserved: ReadonlySet<string>): Promise<string[]> {
    const requester = this.options.catalogRequester;
    if (!requester) throw new Error('the entity metadata component has no catalog_requester, which entities patterns need');
    const response = await requester.send(context);
    const definitions = (response.body as { value?: unknown }).value;
    if (!Array.isArray(definitions)) throw new ResponseError('the EntityDefinitions answer holds no value list');
    const listed = new Map<string, Record<string, unknown>>();
    for (const d of definitions as Array<Record<string, unknown>>) {
      if (typeof d?.LogicalName !== 'string') throw new ResponseError('an EntityDefinitions item has no LogicalName');
      listed.set(d.LogicalName.toLowerCase(), d);
    }
    this.listed = listed;
    const tables = [...listed.values()].filter((d) => typeof d.EntitySetName === 'string' && d.EntitySetName !== '').map((d) => String(d.LogicalName));
    return expandPatterns({ items, tables, reserved, orgUrl: this.options.errorContext.orgUrl });
  }

  /** Metadata of one configured entity (all are loaded on the first call). */
  async entity(context: Record<string, unknown>, name: string): Promise<EntityInfo> {
    this.loading ??= this.load(context);
    const info = (await this.loading).get(name);
    if (!info) throw new Error(`entity ${name} is not one of the configured entities`);
    return info;
  }

  /**
   * The row count of a configured entity from the service's daily snapshot, for TRACE ESTIMATE;
   * undefined when the service will not say. An estimate never fails a sync.
   */
  async estimate(context: Record<string, unknown>, name: string): Promise<number | undefined> {
    const requester = this.options.countsRequester;
    if (!requester) return undefined;
    this.counting ??= (async () => {
      const counts = new Map<string, number>();
      try {
        for (const chunk of chunkNames(this.configured(context))) {
          const result = await requester.send(withEntities(context, chunk));
          const collection = (result.body as { EntityRecordCountCollection?: { Keys?: unknown[]; Values?: unknown[] } }).EntityRecordCountCollection;
          (collection?.Keys ?? []).forEach((key, i) => {
            const value = collection?.Values?.[i];
            if (typeof key === 'string' && typeof value === 'number' && value >= 0) counts.set(key, value);
          });
        }
      } catch {
        // An estimate never fails a sync: what was counted so far stands.
      }
      return counts;
    })();
    return (await this.counting).get(name);
  }

  private async load(context: Record<string, unknown>): Promise<Map<string, EntityInfo>> {
    const names = this.configured(context);
    const result = new Map<string, EntityInfo>();
    if (names.length === 0) return result;
    const byName = new Map<string, Record<string, unknown>>();
    const listed = this.listed;
    if (listed) for (const n of names) if (listed.has(n)) byName.set(n, listed.get(n) as Record<string, unknown>);
    for (const chunk of listed ? [] : chunkNames(names)) {
      const response = await this.options.definitionsRequester.send(withEntities(context, chunk));
      const definitions = (response.body as { value?: unknown }).value;
      if (!Array.isArray(definitions)) throw new ResponseError('the EntityDefinitions answer holds no value list');
      for (const d of definitions as Array<Record<string, unknown>>) byName.set(String(d.LogicalName), d);
    }
    const missing = names.filter((n) => !byName.has(n));
    if (missing.length > 0) {
      const listed = missing.slice(0, LISTED_MISSING).map((m) => `"${m}"`).join(', ');
      const more = missing.length > LISTED_MISSING ? ` and ${missing.length - LISTED_MISSING} more` : '';
      throw new ConfigError(
        `config entities: ${listed}${more} ${missing.length === 1 ? 'does' : 'do'} not exist in ${this.options.errorContext.orgUrl}; use table logical names (e.g. account, opportunity)`,
      );
    }
    const queries = [this.options.attributesQuery, this.options.dateTimeQuery, ...(this.options.lookupQuery ? [this.options.lookupQuery] : [])];
    const perBatch = Math.floor(MAX_BATCH_PARTS / queries.length);
    for (let start = 0; start < names.length; start += perBatch) {
      const batch = names.slice(start, start + perBatch);
      const parts = batch.flatMap((entity) => queries.map((q) => this.partPath(q, context, entity)));
      const answers = await this.options.batchRequester.sendBatch(context, parts);
      if (answers.length !== parts.length) throw new ResponseError(`the $batch answer holds ${answers.length} parts for ${parts.length} requests`);
      batch.forEach((entity, i) => {
        const at = i * queries.length;
        result.set(entity, this.entityInfo(entity, byName.get(entity) as Record<string, unknown>, answers.slice(at, at + queries.length)));
      });
    }
    return result;
  }

  /** One entity from its definition and its batch answers (attributes, DateTime, lookups). */
  private entityInfo(entity: string, definition: Record<string, unknown>, answers: BatchPartResponse[]): EntityInfo {
    const attributes = this.values(answers[0], entity, 'attributes');
    const behaviours = new Map(this.values(answers[1], entity, 'DateTime attributes').map((a) => [String(a.LogicalName), a]));
    const lookups = new Map(answers[2] ? this.values(answers[2], entity, 'lookup attributes').map((a) => [String(a.LogicalName), a]) : []);
    return {
      logicalName: entity,
      entitySetName: String(definition.EntitySetName),
      primaryIdAttribute: String(definition.PrimaryIdAttribute),
      changeTracking: definition.ChangeTrackingEnabled === true,
      // The same reading of an attribute as the metadata streams', so their `column` matches this schema.
      attributes: attributes.map((a) => {
        const dt = behaviours.get(String(a.LogicalName));
        const targets = lookups.get(String(a.LogicalName))?.Targets;
        return attributeInfoOf(a, {
          dateTimeBehavior: (dt?.DateTimeBehavior as { Value?: string } | undefined)?.Value,
          format: typeof dt?.Format === 'string' ? dt.Format : undefined,
          targets: Array.isArray(targets) ? targets.map(String) : undefined,
        });
      }),
    };
  }

  private partPath(query: MetadataQuery, context: Record<string, unknown>, entity: string): string {
    const ctx = { ...context, stream_partition: { entity } };
    return buildUrl('', String(query.path.render(ctx)), (query.requestParameters.render(ctx) ?? {}) as Record<string, unknown>).replace(/^\//, '');
  }

  private values(part: BatchPartResponse, entity: string, what: string): Array<Record<string, unknown>> {
    if (part.status >= 200 && part.status < 300) {
      const value = (part.body as { value?: unknown })?.value;
      if (Array.isArray(value)) return value as Array<Record<string, unknown>>;
      throw new ResponseError(`the ${what} metadata of ${entity} holds no value list`);
    }
    const { code, message } = parseDataverseError(typeof part.body === 'string' ? part.body : JSON.stringify(part.body));
    const described = describeDataverseError(code, this.options.errorContext, message ?? '');
    throw new DataverseError(described ?? `Dataverse refused the ${what} metadata of ${entity} (HTTP ${part.status}${code ? `, ${code}` : ''}): ${message ?? ''}`, part.status, code);
  }
}

/** The request context with `config.entities` replaced by one chunk of names, for the manifest's filter templates. */
function withEntities(context: Record<string, unknown>, names: string[]): Record<string, unknown> {
  const config = (context.config ?? {}) as Record<string, unknown>;
  return { ...context, config: { ...config, entities: names } };
}
