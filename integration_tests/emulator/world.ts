/**
 * The emulated world as plain data: which tenants and app registrations exist in Entra ID, and
 * what the one Dataverse environment (the "org") looks like.
 *
 * Tests may build their own world or mutate the default one before or while the emulator runs;
 * the route modules read it on every request, so nothing is cached from it.
 */

import { createDefaultMetadata } from './default-metadata';
import type { OrgMetadata } from './model';
import type { TableSpec } from './tables';

/** A client secret of an app registration. */
export interface AppSecret {
  value: string;
  /** Entra answers AADSTS7000222 for an expired secret, AADSTS7000215 for an unknown one. */
  expired: boolean;
}

/** An app registration (or, for a multi-tenant app, its service principal) in one tenant. */
export interface AppRegistration {
  displayName: string;
  secrets: AppSecret[];
}

/** An Entra ID directory. */
export interface Tenant {
  /** Named in AADSTS700016 / AADSTS500011 messages ("...in the directory 'Contoso'"). */
  displayName: string;
  /** Keyed by application (client) id. */
  apps: Record<string, AppRegistration>;
}

/** A Dataverse application user: the org-side identity of an app registration. */
export interface ApplicationUser {
  /** The systemuserid, returned by WhoAmI as UserId. */
  userId: string;
  /** Security role names; empty means "no roles" (403 0x80042f09). */
  roles: string[];
}

/** RetrieveCurrentOrganization's Detail, minus Endpoints (built from the org url at request time). */
export interface OrganizationDetail {
  OrganizationId: string;
  FriendlyName: string;
  OrganizationVersion: string;
  EnvironmentId: string;
  DatacenterId: string;
  Geo: string;
  TenantId: string;
  UrlName: string;
  UniqueName: string;
  State: string;
  /** Absent on older service versions; the connector must then emit null. */
  OrganizationType?: string;
  SchemaType?: string;
}

/** One row as the emulator stores it: raw values plus what the annotations need. */
export interface RowData {
  /** The row version, sent as `@odata.etag`. */
  etag: string;
  /** Keyed by the payload property name (lookups as `_<name>_value`). */
  values: Record<string, unknown>;
  /** `<prop>@OData.Community.Display.V1.FormattedValue` values. */
  formatted: Record<string, string>;
}

/** The Dataverse environment. */
export interface Org extends OrgMetadata {
  /** `https://127.0.0.1:<port>`, no trailing slash; set by startEmulator. */
  url: string;
  /** The tenant the org belongs to; tokens from any other tenant get 403 0x80072560. */
  tenantId: string;
  organizationId: string;
  businessUnitId: string;
  /** The single row of the `organizations` entity set. */
  organizationRow: RowData;
  detail: OrganizationDetail;
  /** Keyed by application (client) id. An app without an entry gets 403 0x80072560. */
  applicationUsers: Record<string, ApplicationUser>;
  /** Entities whose entity sets serve generated rows, by logical name (tables.ts); others are empty. */
  tables?: Record<string, TableSpec>;
}

/** Everything the emulator serves. */
export interface World {
  /** Keyed by tenant id (lowercase GUID). */
  tenants: Record<string, Tenant>;
  org: Org;
  /** `expires_in` of issued tokens; tokens stop working on the org after this. */
  tokenLifetimeSeconds: number;
}

/** The org's tenant ("Contoso"); the fixture's TenantId. */
export const GOOD_TENANT_ID = 'f6976b02-5a42-4e90-ac3d-8bf516ce0859';
/** An app registered in GOOD_TENANT_ID with an application user holding a role. */
export const GOOD_CLIENT_ID = '4b9d7e6a-2c31-4f58-9a0d-6e1f3c5b7a90';
/** GOOD_CLIENT_ID's valid secret; distinctive so tests can grep output for leaks. */
export const GOOD_CLIENT_SECRET = 'emu-secret-Q8w~good.7f3a91c4d2e8b650';
/** GOOD_CLIENT_ID's application user (WhoAmI UserId). */
export const GOOD_USER_ID = '24e34f5e-7f1a-43fe-88da-7e4b862d51ad';

/** An app whose only secret has expired: token endpoint answers 401 AADSTS7000222. */
export const EXPIRED_SECRET_CLIENT_ID = 'd87bcc39-1750-4ca0-ad54-f8d0efbb2735';
export const EXPIRED_CLIENT_SECRET = 'emu-secret-Q8w~expired.0b5e2d7c91a4f3';

/** An app registered in the tenant but with no application user in the org: 403 0x80072560. */
export const NO_APP_USER_CLIENT_ID = '9a3c5e7f-1b2d-4f6a-8c0e-2d4f6a8b0c13';
export const NO_APP_USER_CLIENT_SECRET = 'emu-secret-Q8w~nouser.5c8e1a3f7b2d90';

/** An app whose application user has no security role: 403 0x80042f09. */
export const NO_ROLES_CLIENT_ID = '6e8a0c2e-4f1b-4d3a-9b5c-7e9f1a3b5d24';
export const NO_ROLES_CLIENT_SECRET = 'emu-secret-Q8w~noroles.e4a7c0f2b9d618';
export const NO_ROLES_USER_ID = '0d5f7b9a-3c2e-4a1d-8f6b-4c8e0a2d6f35';

/**
 * A second directory ("Fabrikam") where GOOD_CLIENT_ID is also registered with the same secret,
 * as a multi-tenant app is: it gets a token, but the org answers 403 0x80072560.
 */
export const OTHER_TENANT_ID = '2c4e6a8b-0d1f-4e3a-b5c7-9d1e3f5a7b46';

/** Not a tenant of this world: AADSTS90002. */
export const UNKNOWN_TENANT_ID = '00000000-1111-4222-8333-444444444444';
/** Registered nowhere: AADSTS700016. */
export const UNKNOWN_CLIENT_ID = '11111111-2222-4333-8444-555555555555';
/** Not a secret of any app: AADSTS7000215. */
export const WRONG_CLIENT_SECRET = 'emu-secret-Q8w~wrong.000000000000000';

/** Default `expires_in`, what Entra returns for a plain client-credentials token. */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 3599;

/**
 * A fresh default world. Ids and values follow the fixtures (organizations.json,
 * retrievecurrentorganization-v2.json, whoami.json) so responses look like the samples.
 */
export function createDefaultWorld(): World {
  const organizationId = 'f2c9290b-0806-4d48-bf9c-3814d4286755';
  return {
    tokenLifetimeSeconds: DEFAULT_TOKEN_LIFETIME_SECONDS,
    tenants: {
      [GOOD_TENANT_ID]: {
        displayName: 'Contoso',
        apps: {
          [GOOD_CLIENT_ID]: { displayName: 'airbyte-dataverse', secrets: [{ value: GOOD_CLIENT_SECRET, expired: false }] },
          [EXPIRED_SECRET_CLIENT_ID]: { displayName: 'expired-secret-app', secrets: [{ value: EXPIRED_CLIENT_SECRET, expired: true }] },
          [NO_APP_USER_CLIENT_ID]: { displayName: 'no-app-user-app', secrets: [{ value: NO_APP_USER_CLIENT_SECRET, expired: false }] },
          [NO_ROLES_CLIENT_ID]: { displayName: 'no-roles-app', secrets: [{ value: NO_ROLES_CLIENT_SECRET, expired: false }] },
        },
      },
      [OTHER_TENANT_ID]: {
        displayName: 'Fabrikam',
        apps: {
          [GOOD_CLIENT_ID]: { displayName: 'airbyte-dataverse', secrets: [{ value: GOOD_CLIENT_SECRET, expired: false }] },
        },
      },
    },
    org: {
      url: '',
      tenantId: GOOD_TENANT_ID,
      organizationId,
      businessUnitId: '1647bf36-e90a-4c4d-9b61-969d57ce7a66',
      organizationRow: {
        etag: 'W/"77676290"',
        values: {
          organizationid: organizationId,
          name: 'Contoso',
          languagecode: 1033,
          localeid: 1033,
          _basecurrencyid_value: '228f42f8-e646-e111-8eb7-78e7d162ced1',
          currencysymbol: '$',
          fiscalcalendarstart: '2023-01-01T08:00:00Z',
          fiscalperiodformat: 'Quarter {0}',
          isfiscalperiodmonthbased: false,
          isauditenabled: false,
          expirechangetrackingindays: 7,
          maxuploadfilesize: 5242880,
          timezoneruleversionnumber: 0,
          uniquespecifierlength: 8,
        },
        formatted: {
          _basecurrencyid_value: 'US Dollar',
          fiscalcalendarstart: '1/1/2023 8:00 AM',
        },
      },
      detail: {
        OrganizationId: organizationId,
        FriendlyName: 'Contoso',
        OrganizationVersion: '9.2.24101.200',
        EnvironmentId: '0a5a3e2b-7c1d-4f6e-9b8a-2d3c4e5f6a7b',
        DatacenterId: '695014e1-bafd-4d7e-9d3d-2261d4aaf780',
        Geo: 'NA',
        TenantId: GOOD_TENANT_ID,
        UrlName: 'contoso-emu',
        UniqueName: 'unq0335df44f2c9290b08064d48bf9c3',
        State: 'Enabled',
        OrganizationType: 'Customer',
        SchemaType: 'Full',
      },
      applicationUsers: {
        [GOOD_CLIENT_ID]: { userId: GOOD_USER_ID, roles: ['Dataverse Read Only'] },
        [NO_ROLES_CLIENT_ID]: { userId: NO_ROLES_USER_ID, roles: [] },
      },
      ...createDefaultMetadata(),
    },
  };
}
