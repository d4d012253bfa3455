/** Airbyte's AddFields, and the transformation contract the custom ones follow. */
import type { Renderable } from '../http/requester';
import type { RecordTransformation, StreamContext, StreamRecord } from './types';

export interface AddedField {
  path: string[];
  value: Renderable;
}

/**
 * AddFields: sets each `path` to its rendered `value` (the record is visible as `record`), on the
 * records for which `condition` (if any) is true.
 */
export class AddFields implements RecordTransformation {
  constructor(
    private readonly fields: AddedField[],
    private readonly condition?: Renderable,
  ) {}

  private scope?: { context: StreamContext; ctx: StreamContext };

  transform(record: StreamRecord, context: StreamContext): void {
    // One scope object per page context, its `record` swapped per record: no copy per record.
    if (this.scope?.context !== context) this.scope = { context, ctx: { ...context } };
    const ctx = this.scope.ctx;
    ctx.record = record;
    if (this.condition && !truthy(this.condition.render(ctx))) return;
    for (const field of this.fields) {
      let target: Record<string, unknown> = record;
      for (const key of field.path.slice(0, -1)) {
        const next = target[key];
        if (next === null || typeof next !== 'object') target[key] = {};
        target = target[key] as Record<string, unknown>;
      }
      target[field.path[field.path.length - 1]] = field.value.render(ctx);
    }
  }
}

function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return Boolean(value) && value !== 'False' && value !== 'false';
}
