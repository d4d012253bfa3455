/**
 * Reads option-set metadata for many entities in few requests: every (entity, attribute kind)
 * query of the manifest becomes one part of a `$batch` (up to 1,000 parts each), so the whole org
 * costs one request per 200 entities instead of five per entity. Parts fail one by one
 * (continue-on-error), which is how an unknown entity is told apart from a broken request.
 */
import { ConfigError, DataverseError, ResponseError } from '../errors';
import type { BatchPartResponse } from '../http/batch';
import { parseDataverseError } from '../http/error-body';
import type { HttpRequester, Renderable } from '../http/requester';
import { buildUrl } from '../http/url';
import type { ErrorContext } from './error-messages';
import type { Page, Retriever } from '../streams/retriever';
import type { StreamContext, StreamRecord } from '../streams/types';
import { flattenAttribute, type AttributeWithOptionSet, type OptionSetKind } from './option-sets';
import type { PicklistPartition, PicklistSelectionRouter } from './picklist-selection';

/** One declared query: the attribute cast of one option-set kind, with its OptionSet expanded. */
export interface AttributeQuery {
  kind: OptionSetKind;
  path: Renderable;
  requestParameters: Renderable;
}

export interface OptionSetRetrieverOptions {
  requester: HttpRequester;
  router: PicklistSelectionRouter;
  queries: AttributeQuery[];
  batchSize: number;
  errorContext: ErrorContext;
}

interface Part {
  partition: PicklistPartition;
  query: AttributeQuery;
  path: string;
}

export class OptionSetBatchRetriever implements Retriever {
  constructor(private readonly options: OptionSetRetrieverOptions) {}

  async *read(context: StreamContext): AsyncGenerator<Page> {
    const partitions = await this.options.router.partitions(context);
    const parts: Part[] = partitions.flatMap((partition) =>
      this.options.queries.map((query) => {
        const ctx = { ...context, stream_partition: partition, stream_slice: partition };
        return { partition, query, path: buildUrl('', String(query.path.render(ctx)), (query.requestParameters.render(ctx) ?? {}) as Record<string, unknown>).replace(/^\//, '') };
      }),
    );
    const found = new Map<PicklistPartition, Set<string>>();
    const remaining = new Map<PicklistPartition, number>(partitions.map((p) => [p, this.options.queries.length]));
    for (let start = 0; start < parts.length; start += this.options.batchSize) {
      const chunk = parts.slice(start, start + this.options.batchSize);
      const responses = await this.options.requester.sendBatch(context, chunk.map((p) => p.path));
      const records: StreamRecord[] = [];
      for (let i = 0; i < chunk.length; i++) {
        const { partition, query } = chunk[i];
        const attributes = this.attributesOf(responses[i], chunk[i]);
        const seen = found.get(partition) ?? new Set<string>();
        found.set(partition, seen);
        for (const attribute of attributes) {
          const name = String(attribute.LogicalName);
          if (partition.attributes && !partition.attributes.includes(name)) continue;
          seen.add(name);
          records.push(...flattenAttribute(partition.entity, query.kind, attribute));
        }
        const left = (remaining.get(partition) ?? 1) - 1;
        remaining.set(partition, left);
        if (left === 0) await this.checkRequestedAttributes(context, partition, seen);
      }
      yield { records };
    }
  }

  private attributesOf(response: BatchPartResponse, part: Part): AttributeWithOptionSet[] {
    if (response.status >= 200 && response.status < 300) {
      const value = (response.body as { value?: unknown })?.value;
      if (!Array.isArray(value)) throw new ResponseError(`the metadata of ${part.partition.entity} (${part.query.kind}) holds no value list`);
      return value as AttributeWithOptionSet[];
    }
    if (response.status === 404) {
      const { code, message } = parseDataverseError(typeof response.body === 'string' ? response.body : JSON.stringify(response.body));
      throw new ConfigError(
        `config picklists: entity "${part.partition.entity}" does not exist in ${this.options.errorContext.orgUrl}; use the table's logical name (e.g. account, opportunity) or remove it`,
        { internal: `${code}: ${message}` },
      );
    }
    // 429 and 5xx parts were already retried by the requester; what is left is explained as any failed request is.
    throw this.options.requester.partError(response, `the option-set metadata of ${part.partition.entity} (${part.query.kind})`);
  }

  /** An `entity.attribute` item that matched no option-set column: say whether it is missing or of another type. */
  private async checkRequestedAttributes(context: StreamContext, partition: PicklistPartition, seen: Set<string>): Promise<void> {
    for (const attribute of partition.attributes ?? []) {
      if (seen.has(attribute)) continue;
      const url = this.options.requester.urlFor(context, `EntityDefinitions(LogicalName='${partition.entity}')/Attributes(LogicalName='${attribute}')`, {
        $select: 'LogicalName,AttributeType,AttributeTypeName',
      });
      let type: string | undefined;
      try {
        const result = await this.options.requester.send(context, url);
        const body = result.body as { AttributeType?: string; AttributeTypeName?: { Value?: string } };
        type = body.AttributeTypeName?.Value?.replace(/Type$/, '') ?? body.AttributeType;
      } catch (err) {
        if (err instanceof DataverseError && err.status === 404) {
          throw new ConfigError(`config picklists: "${partition.entity}.${attribute}" does not exist: entity ${partition.entity} has no attribute ${attribute}`);
        }
        throw err;
      }
      throw new ConfigError(
        `config picklists: "${partition.entity}.${attribute}" is a ${type ?? 'non-option-set'} column, not an option-set column; list Picklist, MultiSelectPicklist, State, Status or Boolean columns`,
      );
    }
  }
}
