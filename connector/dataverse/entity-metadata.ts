/**
 * The metadata of the configured entities, loaded once per run for all of them: one
 * EntityDefinitions request filtered to the configured names, and one `$batch` with each entity's
 * attribute list and DateTime behaviours. Only the configured entities are ever queried, so a
 * 1,000-entity org costs the same as a 3-entity one.
 */
import { ConfigError, ResponseError } from '../errors';
import type { BatchPartResponse } from '../http/batch';
import { buildUrl, parseDataverseError, type HttpRequester, type Renderable } from '../http/requester';
import { DataverseError } from '../errors';
import { describeDataverseError, type ErrorContext } from './error-messages';

/** One attribute as the metadata describes it. */
export interface AttributeInfo {
  logicalName: string;
  attributeType: string;
  /** AttributeTypeName.Value, e.g. MultiSelectPicklistType, ImageType. */
  typeName: string;
  attributeOf: string | null;
  isValidForRead: boolean;
  /** DateTime columns: DateTimeBehavior.Value (UserLocal, DateOnly, TimeZoneIndependent). */
  dateTimeBehavior?: string;
  format?: string;
}

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
  /** RetrieveTotalRecordCount for the configured entities: row estimates, optional. */
  countsRequester?: HttpRequester;
  batchRequester: HttpRequester;
  attributesQuery: MetadataQuery;
  dateTimeQuery: MetadataQuery;
  errorContext: ErrorContext;
}

export class EntityMetadataProvider {
  private loading?: Promise<Map<string, EntityInfo>>;
  private counting?: Promise<Map<string, number>>;

  constructor(private readonly options: EntityMetadataOptions) {}

  /** The configured entity names, in config order. */
  configured(context: Record<string, unknown>): string[] {
    const value = this.options.entities.render(context);
    return Array.isArray(value) ? [...new Set(value.map((v) => String(v).toLowerCase()))] : [];
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
    if (!this.options.countsRequester) return undefined;
    this.counting ??= this.options.countsRequester.send(context).then(
      (result) => {
        const collection = (result.body as { EntityRecordCountCollection?: { Keys?: unknown[]; Values?: unknown[] } }).EntityRecordCountCollection;
        const counts = new Map<string, number>();
        (collection?.Keys ?? []).forEach((key, i) => {
          const value = collection?.Values?.[i];
          if (typeof key === 'string' && typeof value === 'number' && value >= 0) counts.set(key, value);
        });
        return counts;
      },
      () => new Map<string, number>(),
    );
    return (await this.counting).get(name);
  }

  private async load(context: Record<string, unknown>): Promise<Map<string, EntityInfo>> {
    const names = this.configured(context);
    const result = new Map<string, EntityInfo>();
    if (names.length === 0) return result;
    const response = await this.options.definitionsRequester.send(context);
    const definitions = (response.body as { value?: Array<Record<string, unknown>> }).value ?? [];
    const byName = new Map(definitions.map((d) => [String(d.LogicalName), d]));
    const missing = names.filter((n) => !byName.has(n));
    if (missing.length > 0) {
      throw new ConfigError(
        `config entities: ${missing.map((m) => `"${m}"`).join(', ')} ${missing.length === 1 ? 'does' : 'do'} not exist in ${this.options.errorContext.orgUrl}; use table logical names (e.g. account, opportunity)`,
      );
    }
    const parts = names.flatMap((entity) => [this.partPath(this.options.attributesQuery, context, entity), this.partPath(this.options.dateTimeQuery, context, entity)]);
    const answers = await this.options.batchRequester.sendBatch(context, parts);
    if (answers.length !== parts.length) throw new ResponseError(`the $batch answer holds ${answers.length} parts for ${parts.length} requests`);
    names.forEach((entity, i) => {
      const definition = byName.get(entity) as Record<string, unknown>;
      const attributes = this.values(answers[2 * i], entity, 'attributes');
      const behaviours = new Map(
        this.values(answers[2 * i + 1], entity, 'DateTime attributes').map((a) => [String(a.LogicalName), a]),
      );
      result.set(entity, {
        logicalName: entity,
        entitySetName: String(definition.EntitySetName),
        primaryIdAttribute: String(definition.PrimaryIdAttribute),
        changeTracking: definition.ChangeTrackingEnabled === true,
        attributes: attributes.map((a) => {
          const dt = behaviours.get(String(a.LogicalName));
          return {
            logicalName: String(a.LogicalName),
            attributeType: String(a.AttributeType),
            typeName: String((a.AttributeTypeName as { Value?: unknown } | undefined)?.Value ?? `${String(a.AttributeType)}Type`),
            attributeOf: typeof a.AttributeOf === 'string' ? a.AttributeOf : null,
            isValidForRead: a.IsValidForRead !== false,
            dateTimeBehavior: (dt?.DateTimeBehavior as { Value?: string } | undefined)?.Value,
            format: typeof dt?.Format === 'string' ? dt.Format : undefined,
          };
        }),
      });
    });
    return result;
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
