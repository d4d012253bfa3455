/** RecordSelector + DpathExtractor: picks the records out of a response body by a field path. */
import { ResponseError } from '../errors';
import type { StreamRecord } from './types';

export class DpathExtractor {
  /** `field_path` of the manifest; `*` matches every element of an array or object. */
  constructor(private readonly fieldPath: string[]) {}

  extract(body: unknown): StreamRecord[] {
    let nodes: unknown[] = [body];
    for (const key of this.fieldPath) {
      const next: unknown[] = [];
      for (const node of nodes) {
        if (node === null || typeof node !== 'object') continue;
        if (key === '*') next.push(...(Array.isArray(node) ? node : Object.values(node)));
        else if (key in node) next.push((node as Record<string, unknown>)[key]);
      }
      // A named field found nowhere is a missing field; `*` over an empty list is an empty page.
      if (key !== '*' && nodes.length > 0 && next.length === 0) {
        throw new ResponseError(`the response has no "${this.fieldPath.join('.')}" field where records were expected`);
      }
      nodes = next;
    }
    if (this.fieldPath.length > 0 && !this.fieldPath.includes('*')) {
      // A plain path names one list of records. Anything else there (null, an object, a number) is a
      // broken page, never an empty or one-record page: reading it as data would lose rows silently.
      const list = nodes[0];
      if (!Array.isArray(list)) {
        throw new ResponseError(`the response has "${this.fieldPath.join('.')}": ${describe(list)} where a list of records was expected`);
      }
      // The page's own list, checked, not a copy: the writer empties what it wrote, and a copy would
      // leave the rows alive through the parsed body (messages.ts RecordBatch).
      for (const item of list) asRecord(item, this.fieldPath);
      return list as StreamRecord[];
    }
    const records: StreamRecord[] = [];
    for (const node of nodes) {
      if (Array.isArray(node)) {
        for (const item of node) records.push(asRecord(item, this.fieldPath));
      } else if (node !== undefined && node !== null) {
        records.push(asRecord(node, this.fieldPath));
      }
    }
    return records;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return Object.keys(value as object).length === 0 ? 'an empty object' : 'an object';
  return `a ${typeof value}`;
}

function asRecord(value: unknown, path: string[]): StreamRecord {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ResponseError(`the response holds a non-object at "${path.join('.')}" where records were expected`);
  }
  return value as StreamRecord;
}

export class RecordSelector {
  constructor(private readonly extractor: DpathExtractor) {}

  select(body: unknown): StreamRecord[] {
    return this.extractor.extract(body);
  }
}
