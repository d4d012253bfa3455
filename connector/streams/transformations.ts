/** Airbyte's AddFields, and the transformation contract the custom ones follow. */
import type { Renderable } from '../http/requester';
import { isTrue, type RecordTransformation, type StreamContext, type StreamRecord } from './types';

export interface AddedField {
  path: string[];
  value: Renderable;
}

export interface AddFieldsOptions {
  fields: AddedField[];
  condition?: Renderable;
  /** False when the condition does not read `record`: it is then evaluated once per page. */
  conditionPerRecord: boolean;
  /** The component's $parameters, put in the scope once so templates need not copy it per record. */
  parameters: Record<string, unknown>;
}

/**
 * AddFields: sets each `path` to its rendered `value` (the record is visible as `record`), on the
 * records for which `condition` (if any) is true.
 */
export class AddFields implements RecordTransformation {
  private readonly fields: AddedField[];
  private scope?: { context: StreamContext; ctx: StreamContext; applies?: boolean };

  constructor(private readonly options: AddFieldsOptions) {
    this.fields = options.fields;
  }

  transform(record: StreamRecord, context: StreamContext): void {
    // One scope object per page context, its `record` swapped per record: no copy per record.
    if (this.scope?.context !== context) this.scope = { context, ctx: { ...context, parameters: this.options.parameters } };
    const scope = this.scope;
    scope.ctx.record = record;
    const ctx = scope.ctx;
    const { condition, conditionPerRecord } = this.options;
    if (condition) {
      if (conditionPerRecord) {
        if (!isTrue(condition.render(ctx))) return;
      } else {
        scope.applies ??= isTrue(condition.render(ctx));
        if (!scope.applies) return;
      }
    }
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

