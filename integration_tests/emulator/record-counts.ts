/**
 * `RetrieveTotalRecordCount(EntityNames=@p1)?@p1=["account","contact"]`: the row count of each
 * named entity, as EntityRecordCountCollection {Count, IsReadOnly, Keys, Values} (Web API
 * reference: RetrieveTotalRecordCountResponse / EntityRecordCountCollection). The service answers
 * from a snapshot up to 24 hours old; the emulator answers with the live count, which tests can
 * rely on. [INF] the error for an unknown entity name (the reference does not show one).
 */
import type { RequestContext } from './context';
import { API_ROOT } from './odata';
import { dataverseError, dataverseJson, type Reply, type Route } from './router';
import type { Tables } from './tables';

/** The names in `@p1` (JSON array, single or double quotes), or an error reply. */
function entityNames(ctx: RequestContext, argument: string): string[] | Reply {
  const alias = /^EntityNames=(@\w+)$/.exec(argument)?.[1];
  const raw = alias ? ctx.query.get(alias) : /^EntityNames=(.*)$/.exec(argument)?.[1];
  if (!raw) return dataverseError(400, '0x0', "The parameter 'EntityNames' of function 'Microsoft.Dynamics.CRM.RetrieveTotalRecordCount' is missing.");
  try {
    const names = JSON.parse(raw.replace(/'/g, '"')) as unknown;
    if (Array.isArray(names) && names.every((n) => typeof n === 'string')) return names as string[];
  } catch {
    // fall through to the 400 below
  }
  return dataverseError(400, '0x0', `The value '${raw}' of parameter 'EntityNames' is not a collection of strings.`);
}

export function recordCountRoutes(tables: Tables): Route[] {
  const handler = (ctx: RequestContext, match: RegExpExecArray): Reply => {
    const names = entityNames(ctx, match[1] ?? '');
    if (!Array.isArray(names)) return names;
    const unknown = names.find((n) => !ctx.state.world.org.entities[n]);
    if (unknown) return dataverseError(404, '0x80040217', `Could not find entity with logical name '${unknown}'.`);
    return dataverseJson(200, {
      '@odata.context': `${ctx.state.orgUrl}${API_ROOT}/$metadata#Microsoft.Dynamics.CRM.RetrieveTotalRecordCountResponse`,
      EntityRecordCountCollection: { Count: names.length, IsReadOnly: false, Keys: names, Values: names.map((n) => tables.count(n)) },
    });
  };
  return [{ method: 'GET', pattern: new RegExp(`^${API_ROOT.replace(/\./g, '\\.')}/RetrieveTotalRecordCount\\((.*)\\)$`), handler }];
}
