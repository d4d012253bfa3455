/**
 * Adds RetrieveCurrentOrganization's Detail to the organization record, flattened under the
 * snake_case names the manifest declares. The function is called once per read (`prepare`), not
 * per record. A field the service does not return becomes null, never a guess.
 */
import { ResponseError } from '../errors';
import type { HttpRequester } from '../http/requester';
import type { RecordTransformation, StreamContext, StreamRecord } from '../streams/types';

export interface OrganizationDetailOptions {
  requester: HttpRequester;
  /** output field -> path inside the response (e.g. `friendly_name: [Detail, FriendlyName]`). */
  fields: Record<string, string[]>;
  /** output field -> key of Detail.Endpoints (e.g. `web_application_url: WebApplication`). */
  endpointFields: Record<string, string>;
}

function at(value: unknown, path: string[]): unknown {
  let node = value;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** Endpoints come as parallel Keys/Values arrays (a serialized .NET collection). */
function endpoint(detail: unknown, key: string): unknown {
  const keys = at(detail, ['Endpoints', 'Keys']);
  const values = at(detail, ['Endpoints', 'Values']);
  if (!Array.isArray(keys) || !Array.isArray(values)) return undefined;
  const index = keys.indexOf(key);
  return index >= 0 ? values[index] : undefined;
}

export class CurrentOrganizationDetail implements RecordTransformation {
  private response: unknown;

  constructor(private readonly options: OrganizationDetailOptions) {}

  async prepare(context: StreamContext): Promise<void> {
    const result = await this.options.requester.send(context);
    if (at(result.body, ['Detail']) === undefined) {
      throw new ResponseError('RetrieveCurrentOrganization returned no Detail object');
    }
    this.response = result.body;
  }

  transform(record: StreamRecord): void {
    for (const [field, path] of Object.entries(this.options.fields)) record[field] = nullIfEmpty(at(this.response, path));
    const detail = at(this.response, ['Detail']);
    for (const [field, key] of Object.entries(this.options.endpointFields)) record[field] = nullIfEmpty(endpoint(detail, key));
  }
}

function nullIfEmpty(value: unknown): unknown {
  return value === undefined || value === '' ? null : value;
}
