/**
 * The org-level Web API routes: WhoAmI, the `organizations` entity set and
 * RetrieveCurrentOrganization. Authentication has already happened (dataverseHost.ts).
 */
import type { RequestContext } from './context';
import {
  API_ROOT,
  annotationFilter,
  collectionContext,
  parsePrefer,
  parseSelect,
  preferenceAppliedHeader,
  renderRow,
  type EntitySetShape,
} from './odata';
import { dataverseError, dataverseJson, type Reply, type Route } from './router';

/** The `organizations` columns the emulator knows (facts §3); world rows fill them. */
export const ORGANIZATION_SHAPE: EntitySetShape = {
  setName: 'organizations',
  typeName: 'organization',
  primaryKey: 'organizationid',
  columns: [
    { property: 'organizationid' },
    { property: 'name' },
    { property: 'languagecode' },
    { property: 'localeid' },
    { property: '_basecurrencyid_value', lookup: { navigationProperty: 'basecurrencyid', target: 'transactioncurrency' } },
    { property: 'currencysymbol' },
    { property: 'fiscalcalendarstart' },
    { property: 'fiscalperiodformat' },
    { property: 'isfiscalperiodmonthbased' },
    { property: 'isauditenabled' },
    { property: 'expirechangetrackingindays' },
    { property: 'maxuploadfilesize' },
    { property: 'timezoneruleversionnumber' },
    { property: 'uniquespecifierlength' },
  ],
};

function whoAmI(ctx: RequestContext): Reply {
  if (!ctx.principal) throw new Error('emulator bug: WhoAmI routed without authentication');
  const { org } = ctx.state.world;
  return dataverseJson(200, {
    '@odata.context': `${ctx.state.orgUrl}${API_ROOT}/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse`,
    BusinessUnitId: org.businessUnitId,
    UserId: ctx.principal.user.userId,
    OrganizationId: org.organizationId,
  });
}

/** Always exactly one row (facts §3). Paging preferences are acknowledged, nothing to page. */
function organizations(ctx: RequestContext): Reply {
  const selected = parseSelect(ORGANIZATION_SHAPE, ctx.query.get('$select'));
  if ('error' in selected) return dataverseError(400, '0x0', selected.error);
  const prefs = parsePrefer(ctx.headers.prefer);
  const row = renderRow(ORGANIZATION_SHAPE, ctx.state.world.org.organizationRow, selected.columns, annotationFilter(prefs));
  const reply = dataverseJson(
    200,
    { '@odata.context': collectionContext(ctx.state.orgUrl, ORGANIZATION_SHAPE, selected.columns), value: [row] },
    preferenceAppliedHeader(prefs),
  );
  return { ...reply, cells: selected.columns?.length ?? ORGANIZATION_SHAPE.columns.length };
}

const ACCESS_TYPE = /^Microsoft\.Dynamics\.CRM\.EndpointAccessType'(Default|Internet|Intranet)'$/;

/**
 * The AccessType argument, from the inline form `(AccessType=Microsoft...'Default')` or the alias
 * form `(AccessType=@p1)?@p1=...`; or the 400 for a missing or malformed one. Only the fully
 * qualified enum literal is accepted, as the service requires. Messages for these 400s are [INF].
 */
function accessType(ctx: RequestContext, args: string | undefined): string | Reply {
  const params = new Map<string, string>();
  for (const part of (args ?? '').split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) params.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  let value = params.get('AccessType');
  if (value === undefined) {
    return dataverseError(400, '0x0', "The parameter 'AccessType' of function 'Microsoft.Dynamics.CRM.RetrieveCurrentOrganization' is missing.");
  }
  if (value.startsWith('@')) {
    const aliased = ctx.query.get(value);
    if (aliased === null) return dataverseError(400, '0x0', `The parameter alias '${value}' has no value in the request URI.`);
    value = aliased;
  }
  const m = ACCESS_TYPE.exec(value);
  if (!m) return dataverseError(400, '0x0', `The string '${value}' is not a valid enumeration type constant.`);
  return m[1];
}

/** Detail from the world; Endpoints point at the emulator's org url. */
function retrieveCurrentOrganization(ctx: RequestContext, match: RegExpExecArray): Reply {
  const access = accessType(ctx, match[1]);
  if (typeof access !== 'string') return access;
  const { orgUrl } = ctx.state;
  return dataverseJson(200, {
    '@odata.context': `${orgUrl}${API_ROOT}/$metadata#Microsoft.Dynamics.CRM.RetrieveCurrentOrganizationResponse`,
    Detail: {
      ...ctx.state.world.org.detail,
      Endpoints: {
        Count: 3,
        IsReadOnly: false,
        Keys: ['WebApplication', 'OrganizationService', 'OrganizationDataService'],
        Values: [`${orgUrl}/`, `${orgUrl}/XRMServices/2011/Organization.svc`, `${orgUrl}/XRMServices/2011/OrganizationData.svc`],
      },
    },
  });
}

const api = (rest: string) => new RegExp(`^${API_ROOT.replace(/\./g, '\\.')}/${rest}$`);

/** Org-level routes. */
export const dataverseRoutes: readonly Route[] = [
  { method: 'GET', pattern: api('WhoAmI(?:\\(\\))?'), handler: whoAmI },
  { method: 'GET', pattern: api('organizations'), handler: organizations },
  { method: 'GET', pattern: api('RetrieveCurrentOrganization(?:\\((.*)\\))?'), handler: retrieveCurrentOrganization },
];
