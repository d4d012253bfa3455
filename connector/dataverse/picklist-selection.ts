/**
 * Which option-set columns the picklist stream reads, from config `picklists`: `entity` (all its
 * option-set columns), `entity.attribute` (one column), or nothing (every entity of the org, listed
 * with one EntityDefinitions request). Each entity becomes one partition.
 */
import { ConfigError } from '../errors';
import type { HttpRequester, Renderable } from '../http/requester';
import type { PartitionRouter, StreamPartition } from '../streams/partition-router';
import type { StreamContext } from '../streams/types';

/** A partition of the picklist stream: one entity, and the attributes asked for (null: all). */
export interface PicklistPartition extends StreamPartition {
  entity: string;
  attributes: string[] | null;
}

/** Groups `entity` / `entity.attribute` items by entity; a whole-entity item wins over its attributes. */
export function parseSelection(items: readonly string[]): PicklistPartition[] {
  const byEntity = new Map<string, Set<string> | null>();
  for (const raw of items) {
    const item = raw.trim().toLowerCase();
    const match = /^([a-z0-9_]+)(?:\.([a-z0-9_]+))?$/.exec(item);
    if (!match) throw new ConfigError(`config picklists item "${raw}" is not "entity" or "entity.attribute" (logical names, e.g. "account" or "account.industrycode")`);
    const [, entity, attribute] = match;
    const current = byEntity.get(entity);
    if (attribute === undefined) byEntity.set(entity, null);
    else if (current !== null) byEntity.set(entity, (current ?? new Set<string>()).add(attribute));
  }
  return [...byEntity].map(([entity, attributes]) => ({ entity, attributes: attributes ? [...attributes] : null }));
}

export class PicklistSelectionRouter implements PartitionRouter {
  constructor(
    private readonly selection: Renderable,
    private readonly entitiesRequester: HttpRequester,
  ) {}

  async partitions(context: StreamContext): Promise<PicklistPartition[]> {
    const selection = this.selection.render(context);
    if (Array.isArray(selection) && selection.length > 0) return parseSelection(selection.map(String));
    const response = await this.entitiesRequester.send(context);
    const value = (response.body as { value?: Array<{ LogicalName?: unknown }> }).value ?? [];
    return value
      .map((e) => e.LogicalName)
      .filter((n): n is string => typeof n === 'string')
      .sort()
      .map((entity) => ({ entity, attributes: null }));
  }
}
