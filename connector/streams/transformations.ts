/** Airbyte's AddFields, and the transformation contract the custom ones follow. */
import type { Renderable } from '../http/requester';
import type { RecordTransformation, StreamContext, StreamRecord } from './types';

export interface AddedField {
  path: string[];
  value: Renderable;
}

/** AddFields: sets each `path` to its rendered `value` (the record is visible as `record`). */
export class AddFields implements RecordTransformation {
  constructor(private readonly fields: AddedField[]) {}

  transform(record: StreamRecord, context: StreamContext): void {
    const ctx = { ...context, record };
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
