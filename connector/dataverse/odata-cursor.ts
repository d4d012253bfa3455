/**
 * The OData form of the datetime cursor's request: `$filter=<field> ge <bound>` and `$orderby` by
 * the cursor then the entity's primary key (from the entity partition), so rows that share a
 * cursor value come in one order on every page and a page boundary is a safe checkpoint.
 */
import type { CursorQuery } from '../streams/datetime-cursor';

/** An OData Edm.DateTimeOffset literal for an instant, in UTC: `2024-01-01T00:00:00Z`, with `.123` when it has milliseconds. */
export function odataDateTimeLiteral(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

export const ODATA_CURSOR_QUERY: CursorQuery = {
  parameters(field, bound, partition) {
    const key = (partition.stream_partition as { primary_key?: string } | undefined)?.primary_key;
    const parameters: Record<string, string> = { $orderby: key ? `${field} asc,${key} asc` : `${field} asc` };
    if (bound !== undefined) parameters.$filter = `${field} ge ${odataDateTimeLiteral(bound)}`;
    return parameters;
  },
};
