/**
 * `GlobalOptionSetDefinitions` (facts §4): the list (items carry `@odata.type`, REAL capture
 * globaloptionsetdefinitions.json), one set by `Name='x'` or MetadataId, and the documented cast
 * form `GlobalOptionSetDefinitions(<id>)/Microsoft.Dynamics.CRM.OptionSetMetadata`
 * (globaloptionset-single.json).
 */
import type { RequestContext } from './context';
import { ENUM_MEMBERS } from './metadata-catalog';
import { parseKey, parseSegments, type KeySpec } from './metadata-path';
import { parseMetadataQuery, unknownProperty } from './metadata-query';
import type { OptionSetDef } from './model';
import { evaluateFilter, parseFilter, type FilterNode } from './odata-filter';
import { API_ROOT } from './odata';
import {
  isOptionSetProperty,
  optionSetJson,
  optionSetKind,
  optionSetKindTypeName,
  optionSetPropertyType,
  optionSetTypeName,
  optionSetValue,
  type OptionSetKind,
} from './optionsets-render';
import { dataverseError, dataverseJson, type Reply, type Route } from './router';

const NS = 'Microsoft.Dynamics.CRM.';
const CASTS: Record<string, OptionSetKind> = { OptionSetMetadata: 'options', BooleanOptionSetMetadata: 'boolean' };

const badRequest = (message: string) => dataverseError(400, '0x0', message);

/** [INF] 404 0x80040217 like the other missing metadata; wording after the entity one. */
function notFound(key: KeySpec): Reply {
  const what = key.kind === 'name' ? `name ${key.value}` : `id ${key.value}`;
  return dataverseError(404, '0x80040217', `Could not find an option set with ${what}.`);
}

function find(sets: Record<string, OptionSetDef>, key: KeySpec): OptionSetDef | undefined {
  if (key.kind === 'name') return sets[key.value];
  return Object.values(sets).find((s) => s.metadataId.toLowerCase() === key.value);
}

function globalOptionSetDefinitions(ctx: RequestContext): Reply {
  const segments = parseSegments(ctx.pathname.slice(API_ROOT.length + 1));
  if ('error' in segments) return badRequest(segments.error);
  const query = parseMetadataQuery(ctx.query);
  if ('error' in query) return badRequest(query.error);
  const [root, cast, ...extra] = segments;
  if (extra.length > 0) return dataverseError(404, '0x80060888', `Resource not found for the segment '${extra[0].name}'.`);

  // The declared type is OptionSetMetadataBase unless the path casts to a derived type.
  let kind: OptionSetKind = 'base';
  if (cast) {
    const castKind = cast.key === null && cast.name.startsWith(NS) ? CASTS[cast.name.slice(NS.length)] : undefined;
    if (!castKind) return dataverseError(404, '0x80060888', `Resource not found for the segment '${cast.name}'.`);
    kind = castKind;
  }
  const typeName = optionSetKindTypeName(kind);
  for (const name of query.select ?? []) if (!isOptionSetProperty(name, kind)) return badRequest(unknownProperty(name, typeName));
  if (query.expand.length > 0) return badRequest(unknownProperty(query.expand[0].property, typeName));

  const { org } = ctx.state.world;
  const castPath = cast ? `/${cast.name}` : '';
  const select = query.select ? `(${query.select.join(',')})` : '';
  const context = `${ctx.state.orgUrl}${API_ROOT}/$metadata#GlobalOptionSetDefinitions${castPath}${select}`;
  const render = (set: OptionSetDef) => ({
    // Only an item more derived than the declared type says what it is.
    ...(kind === 'base' ? { '@odata.type': `#${optionSetTypeName(set)}` } : {}),
    ...optionSetJson(set, query.select, org.userLanguage, 'global'),
  });

  if (root.key !== null) {
    if (query.filter !== null) return badRequest('The query option $filter cannot be applied to a single entity [INF].');
    const key = parseKey(root.key, 'Name');
    if ('error' in key) return badRequest(key.error);
    const set = find(org.globalOptionSets, key);
    // [INF] A set of the other derived type under a cast is not there.
    if (!set || (kind !== 'base' && optionSetKind(set) !== kind)) return notFound(key);
    return dataverseJson(200, { '@odata.context': `${context}/$entity`, ...render(set) });
  }

  let filter: FilterNode | null = null;
  if (query.filter !== null) {
    const parsed = parseFilter(query.filter, {
      typeName: `${NS}${typeName}`,
      typeOf: optionSetPropertyType,
      enumMembers: (type) => ENUM_MEMBERS[type],
    });
    if ('error' in parsed) return badRequest(parsed.error);
    filter = parsed.filter;
  }
  const sets = Object.values(org.globalOptionSets).filter(
    (s) => (kind === 'base' || optionSetKind(s) === kind) && (filter === null || evaluateFilter(filter, (path) => optionSetValue(s, path, org.userLanguage))),
  );
  return dataverseJson(200, { '@odata.context': context, value: sets.map(render) });
}

/** Global option set routes (paths starting with `GlobalOptionSetDefinitions` only). */
export const optionSetRoutes: readonly Route[] = [
  { method: 'GET', pattern: /^\/api\/data\/v9\.2\/GlobalOptionSetDefinitions(?:\(.*|\/.*)?$/, handler: globalOptionSetDefinitions },
];
