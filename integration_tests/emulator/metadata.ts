/**
 * The `EntityDefinitions` metadata routes (facts §4): the entity list, one entity, its
 * `Attributes` (un-cast or cast to a derived AttributeMetadata type), one attribute, and the
 * `OptionSet` / `GlobalOptionSet` navigation of a cast attribute. All matches come in one response
 * (metadata has no paging) and `MetadataId` is always returned.
 *
 * OData typing decides `@odata.type`: an item whose type is more derived than the collection's
 * declared type carries it (un-cast Attributes, attributes-account.json), items of a cast
 * collection do not (picklist-all-account.json).
 */
import {
  ATTRIBUTE_PROPERTIES,
  DERIVED_PROPERTIES,
  DERIVED_TYPE,
  ENTITY_PROPERTIES,
  OPTION_SET_TYPES,
  catalogSchema,
  catalogValue,
  derivedTypeOf,
  type Catalog,
  type RenderEnv,
} from './metadata-catalog';
import { contextSelect, parseMetadataQuery, unknownProperty, type ExpandItem, type MetadataQuery } from './metadata-query';
import { parseKey, parseSegments, type KeySpec, type Segment } from './metadata-path';
import type { AttributeDef, EntityDef, OrgMetadata } from './model';
import { evaluateFilter, parseFilter, type FilterNode } from './odata-filter';
import { API_ROOT } from './odata';
import { isOptionSetProperty, optionSetJson, optionSetKindTypeName, type OptionSetKind } from './optionsets-render';
import type { RequestContext } from './context';
import { dataverseError, dataverseJson, type Reply, type Route } from './router';

const NS = 'Microsoft.Dynamics.CRM.';
/** Every cast the Attributes collection accepts (UniqueIdentifier exists but no item carries it, see DERIVED_TYPE). */
const ATTRIBUTE_CASTS = new Set([...Object.values(DERIVED_TYPE), 'UniqueIdentifierAttributeMetadata']);

/** 400 with the OData layer's code (facts §7: "0x0" for OData errors). */
const badRequest = (message: string) => dataverseError(400, '0x0', message);

/** 404 for a segment the service does not know (facts §7, 0x80060888). */
const segmentNotFound = (segment: string) => dataverseError(404, '0x80060888', `Resource not found for the segment '${segment}'.`);

/**
 * 404 for an unknown entity. [INF] Code 0x80040217 (ObjectDoesNotExist, as for unknown records,
 * fixture error-404-record.json); message after the CrmObjectNotFoundException the metadata reader
 * throws for a missing entity ("Could not find an entity with name capacity and id 0000...", REAL
 * stack trace in MarkMpn/Sql4Cds#620).
 */
function entityNotFound(key: KeySpec): Reply {
  const name = key.kind === 'name' ? key.value : '';
  const id = key.kind === 'id' ? key.value : '00000000-0000-0000-0000-000000000000';
  return dataverseError(404, '0x80040217', `Could not find an entity with name ${name} and id ${id}.`);
}

/** 404 for an unknown attribute, or one that is not of the cast's type. [INF] Same code, worded alike. */
function attributeNotFound(entity: EntityDef, key: KeySpec): Reply {
  const what = key.kind === 'name' ? `name ${key.value}` : `id ${key.value}`;
  return dataverseError(404, '0x80040217', `Could not find an attribute with ${what} on entity ${entity.logicalName}.`);
}

function findEntity(org: OrgMetadata, key: KeySpec): EntityDef | undefined {
  if (key.kind === 'name') return org.entities[key.value];
  return Object.values(org.entities).find((e) => e.metadataId.toLowerCase() === key.value);
}

function findAttribute(entity: EntityDef, key: KeySpec): AttributeDef | undefined {
  if (key.kind === 'name') return entity.attributes.find((a) => a.logicalName === key.value);
  return entity.attributes.find((a) => a.metadataId.toLowerCase() === key.value);
}

/** `('account')` when addressed by name (fixtures), `(<guid>)` by id (query-metadata-web-api.md). */
const contextKey = (key: KeySpec) => (key.kind === 'name' ? `('${key.value}')` : `(${key.value})`);

/** The catalog of an attribute type (`AttributeMetadata` = the base type). */
function attributeCatalog(typeName: string): Catalog<AttributeDef> {
  return typeName === 'AttributeMetadata' ? ATTRIBUTE_PROPERTIES : { ...ATTRIBUTE_PROPERTIES, ...(DERIVED_PROPERTIES[typeName] ?? {}) };
}

/** The option-set type behind a cast's `OptionSet` navigation. */
const optionSetKindOfCast = (typeName: string): OptionSetKind => (typeName === 'BooleanAttributeMetadata' ? 'boolean' : 'options');

/** A validated attribute query over one declared type. */
interface AttributeQuery {
  typeName: string;
  catalog: Catalog<AttributeDef>;
  select: string[] | null;
  filter: FilterNode | null;
  expand: ExpandItem[];
}

/**
 * Checks `$select`, `$filter` and `$expand` against the declared attribute type: derived
 * properties only after a cast, `OptionSet`/`GlobalOptionSet` only on option-set casts (the docs:
 * "you can't include the OptionSet ... unless you cast"), their nested `$select` against
 * OptionSetMetadata or BooleanOptionSetMetadata.
 */
function attributeQuery(typeName: string, query: Pick<MetadataQuery, 'select' | 'filter' | 'expand'>): AttributeQuery | Reply {
  const catalog = attributeCatalog(typeName);
  for (const name of query.select ?? []) if (!catalog[name]) return badRequest(unknownProperty(name, typeName));
  for (const item of query.expand) {
    if (!OPTION_SET_TYPES.has(typeName) || (item.property !== 'OptionSet' && item.property !== 'GlobalOptionSet')) {
      return badRequest(unknownProperty(item.property, typeName));
    }
    const kind = optionSetKindOfCast(typeName);
    for (const name of item.select ?? []) if (!isOptionSetProperty(name, kind)) return badRequest(unknownProperty(name, optionSetKindTypeName(kind)));
    if (item.filter !== null) return badRequest(`$filter is not supported inside $expand=${item.property}: it is a single-valued navigation property.`);
  }
  let filter: FilterNode | null = null;
  if (query.filter !== null) {
    const parsed = parseFilter(query.filter, catalogSchema(typeName, catalog));
    if ('error' in parsed) return badRequest(parsed.error);
    filter = parsed.filter;
  }
  return { typeName, catalog, select: query.select, filter, expand: query.expand };
}

/** One attribute as JSON under a declared type. */
function attributeJson(attr: AttributeDef, q: AttributeQuery, env: RenderEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const own = derivedTypeOf(attr);
  if (q.typeName === 'AttributeMetadata' && own) out['@odata.type'] = `#${NS}${own}`;
  const catalog = q.select ? q.catalog : attributeCatalog(own ?? 'AttributeMetadata');
  const names = q.select ? [...q.select, ...(q.select.includes('MetadataId') ? [] : ['MetadataId'])] : Object.keys(catalog);
  for (const name of names) out[name] = catalog[name].get(attr, env);
  for (const item of q.expand) {
    // GlobalOptionSet is populated for local sets too, with the same MetadataId (facts §4).
    out[item.property] = attr.optionSet ? optionSetJson(attr.optionSet, item.select, env.userLanguage) : null;
  }
  return out;
}

/** The attributes of a query: those of the declared type, filtered. */
function selectAttributes(entity: EntityDef, q: AttributeQuery, env: RenderEnv): AttributeDef[] {
  return entity.attributes.filter(
    (a) =>
      (q.typeName === 'AttributeMetadata' || derivedTypeOf(a) === q.typeName) &&
      (q.filter === null || evaluateFilter(q.filter, (path) => catalogValue(q.catalog, a, env, path))),
  );
}

const contextBase = (ctx: RequestContext) => `${ctx.state.orgUrl}${API_ROOT}/$metadata#`;

/** `EntityDefinitions` and `EntityDefinitions(key)`, with `$expand=Attributes(...)`. */
function entities(ctx: RequestContext, query: MetadataQuery, key: KeySpec | null): Reply {
  const org = ctx.state.world.org;
  for (const name of query.select ?? []) if (!ENTITY_PROPERTIES[name]) return badRequest(unknownProperty(name, 'EntityMetadata'));
  const attributeExpansions: Array<{ item: ExpandItem; q: AttributeQuery }> = [];
  for (const item of query.expand) {
    if (item.property !== 'Attributes') return badRequest(unknownProperty(item.property, 'EntityMetadata'));
    const q = attributeQuery('AttributeMetadata', { select: item.select, filter: item.filter, expand: [] });
    if ('status' in q) return q;
    attributeExpansions.push({ item, q });
  }
  let filter: FilterNode | null = null;
  if (query.filter !== null) {
    if (key) return badRequest('The query option $filter cannot be applied to a single entity [INF].');
    const parsed = parseFilter(query.filter, catalogSchema('EntityMetadata', ENTITY_PROPERTIES));
    if ('error' in parsed) return badRequest(parsed.error);
    filter = parsed.filter;
  }
  const render = (entity: EntityDef) => {
    const env: RenderEnv = { userLanguage: org.userLanguage, entity };
    const out: Record<string, unknown> = {};
    const names = query.select ? [...query.select, ...(query.select.includes('MetadataId') ? [] : ['MetadataId'])] : Object.keys(ENTITY_PROPERTIES);
    for (const name of names) out[name] = ENTITY_PROPERTIES[name].get(entity, env);
    for (const { q } of attributeExpansions) out.Attributes = selectAttributes(entity, q, env).map((a) => attributeJson(a, q, env));
    return out;
  };
  const select = contextSelect(query.select, query.expand);
  if (key) {
    const entity = findEntity(org, key);
    if (!entity) return entityNotFound(key);
    // [INF] A single object with a `/$entity` context: the docs' sample (entitydefinition-account.json)
    // wraps the keyed GET in a `value` array, but clients read it as one object, as OData returns it.
    return dataverseJson(200, { '@odata.context': `${contextBase(ctx)}EntityDefinitions${select}/$entity`, ...render(entity) });
  }
  const all = Object.values(org.entities).filter(
    (e) => filter === null || evaluateFilter(filter, (path) => catalogValue(ENTITY_PROPERTIES, e, { userLanguage: org.userLanguage, entity: e }, path)),
  );
  return dataverseJson(200, { '@odata.context': `${contextBase(ctx)}EntityDefinitions${select}`, value: all.map(render) });
}

/** The cast segment's type name, or the reply refusing it. */
function castType(segment: Segment): string | Reply {
  if (!segment.name.startsWith(NS) || segment.key !== null) return segmentNotFound(segment.name);
  const typeName = segment.name.slice(NS.length);
  if (typeName === 'EnumAttributeMetadata') {
    // REAL (observed against a live org, reported in a third-party Dataverse tool's source):
    // HTTP 500 "0x8006088a: Unexpected attribute type EnumAttributeMetadata"; the docs only say
    // the cast is impossible.
    return dataverseError(500, '0x8006088a', 'Unexpected attribute type EnumAttributeMetadata');
  }
  return ATTRIBUTE_CASTS.has(typeName) ? typeName : segmentNotFound(segment.name);
}

/** Everything under `EntityDefinitions(key)/Attributes`. */
function attributes(ctx: RequestContext, query: MetadataQuery, entity: EntityDef, entityKey: KeySpec, rest: Segment[]): Reply {
  const [attributesSegment, castSegment, navSegment, ...extra] = rest;
  if (extra.length > 0) return segmentNotFound(extra[0].name);
  const env: RenderEnv = { userLanguage: ctx.state.world.org.userLanguage, entity };
  let typeName = 'AttributeMetadata';
  if (castSegment) {
    const cast = castType(castSegment);
    if (typeof cast !== 'string') return cast;
    typeName = cast;
  }
  const base = `${contextBase(ctx)}EntityDefinitions${contextKey(entityKey)}/Attributes`;
  const castPath = castSegment ? `/${castSegment.name}` : '';

  if (navSegment) {
    // .../Attributes(key)/Microsoft.Dynamics.CRM.PicklistAttributeMetadata/OptionSet (picklist-optionset-navigation.json)
    if (!attributesSegment.key || !castSegment || !OPTION_SET_TYPES.has(typeName) || (navSegment.name !== 'OptionSet' && navSegment.name !== 'GlobalOptionSet')) {
      return segmentNotFound(navSegment.name);
    }
    if (navSegment.key !== null) return segmentNotFound(navSegment.name);
    const key = parseKey(attributesSegment.key);
    if ('error' in key) return badRequest(key.error);
    const attr = findAttribute(entity, key);
    if (!attr || derivedTypeOf(attr) !== typeName || !attr.optionSet) return attributeNotFound(entity, key);
    const kind = optionSetKindOfCast(typeName);
    if (query.expand.length > 0) return badRequest(unknownProperty(query.expand[0].property, optionSetKindTypeName(kind)));
    if (query.filter !== null) return badRequest('The query option $filter cannot be applied to a single entity [INF].');
    for (const name of query.select ?? []) if (!isOptionSetProperty(name, kind)) return badRequest(unknownProperty(name, optionSetKindTypeName(kind)));
    const select = query.select ? `(${query.select.join(',')})` : '';
    return dataverseJson(200, {
      '@odata.context': `${base}(${attributesSegment.key})${castPath}/${navSegment.name}${select}/$entity`,
      ...optionSetJson(attr.optionSet, query.select, env.userLanguage),
    });
  }

  const q = attributeQuery(typeName, query);
  if ('status' in q) return q;
  const select = contextSelect(query.select, query.expand);
  if (attributesSegment.key !== null) {
    if (query.filter !== null) return badRequest('The query option $filter cannot be applied to a single entity [INF].');
    const key = parseKey(attributesSegment.key);
    if ('error' in key) return badRequest(key.error);
    const attr = findAttribute(entity, key);
    // [INF] An attribute of another type under a cast is not there: 404, like an unknown one.
    if (!attr || (typeName !== 'AttributeMetadata' && derivedTypeOf(attr) !== typeName)) return attributeNotFound(entity, key);
    // The key is not repeated in the context (picklist-account-accountcategorycode.json).
    return dataverseJson(200, { '@odata.context': `${base}${castPath}${select}/$entity`, ...attributeJson(attr, q, env) });
  }
  return dataverseJson(200, {
    '@odata.context': `${base}${castPath}${select}`,
    value: selectAttributes(entity, q, env).map((a) => attributeJson(a, q, env)),
  });
}

/** Dispatches `EntityDefinitions...` paths. */
function entityDefinitions(ctx: RequestContext): Reply {
  const segments = parseSegments(ctx.pathname.slice(API_ROOT.length + 1));
  if ('error' in segments) return badRequest(segments.error);
  const query = parseMetadataQuery(ctx.query);
  if ('error' in query) return badRequest(query.error);
  const [root, next, ...rest] = segments;
  let key: KeySpec | null = null;
  if (root.key !== null) {
    const parsed = parseKey(root.key);
    if ('error' in parsed) return badRequest(parsed.error);
    key = parsed;
  }
  if (!next) return entities(ctx, query, key);
  if (!key) return segmentNotFound(next.name);
  const entity = findEntity(ctx.state.world.org, key);
  if (!entity) return entityNotFound(key);
  if (next.name !== 'Attributes') return segmentNotFound(next.name);
  return attributes(ctx, query, entity, key, [next, ...rest]);
}

/** Metadata routes; they only take paths starting with `EntityDefinitions`, so nothing else is shadowed. */
export const metadataRoutes: readonly Route[] = [
  { method: 'GET', pattern: /^\/api\/data\/v9\.2\/EntityDefinitions(?:\(.*|\/.*)?$/, handler: entityDefinitions },
];
