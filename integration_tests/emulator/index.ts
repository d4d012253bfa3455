/** The emulator's public API: start it, script faults, inspect what it received. */
export { startEmulator } from './server';
export type { ConnectorConfig, Emulator, EmulatorOptions, RequestLogEntry } from './server';
export { ECHO_TOKEN_BODY_LENGTH, ECHO_TOKEN_OFFSET, Faults, THROTTLE_FIXTURES, TRICKLE_DEFAULTS } from './faults';
export type { FaultAction, FaultHandle, FaultRule } from './faults';
export type { Target } from './context';
export {
  cellsServerMs,
  DEFAULT_CONCURRENCY_RETRY_AFTER_SECONDS,
  DEFAULT_DOP_HINT,
  DEFAULT_EXECUTION_BUDGET_MS,
  DEFAULT_EXECUTION_WINDOW_MS,
  DEFAULT_LATENCY,
  DEFAULT_MAX_CONCURRENT_REQUESTS,
  resolveService,
} from './service';
export type { LatencyModel, ServiceOptions, ServiceSettings } from './service';
export { Random, mulberry32 } from './random';
export {
  createDefaultWorld,
  DEFAULT_TOKEN_LIFETIME_SECONDS,
  EXPIRED_CLIENT_SECRET,
  EXPIRED_SECRET_CLIENT_ID,
  GOOD_CLIENT_ID,
  GOOD_CLIENT_SECRET,
  GOOD_TENANT_ID,
  GOOD_USER_ID,
  NO_APP_USER_CLIENT_ID,
  NO_APP_USER_CLIENT_SECRET,
  NO_ROLES_CLIENT_ID,
  NO_ROLES_CLIENT_SECRET,
  NO_ROLES_USER_ID,
  OTHER_TENANT_ID,
  UNKNOWN_CLIENT_ID,
  UNKNOWN_TENANT_ID,
  WRONG_CLIENT_SECRET,
} from './world';
export type { AppRegistration, AppSecret, ApplicationUser, Org, OrganizationDetail, RowData, Tenant, World } from './world';
export { fetchToken, json, readFixture, requestToken } from './testing';
export type { EmulatorUrls, TokenRequestArgs } from './testing';
export { Tables, DEFAULT_CLOCK_START, DEFAULT_STEP_SECONDS, DEFAULT_TABLE_SEED, DEFAULT_TABLE_START, INITIAL_CHANGE_VERSION, BASE_ROW_VERSION } from './tables';
export type { ChangeTrackingQuirks, RowTarget, TableSpec } from './tables';
export { decodeSkiptoken, encodeSkiptoken } from './skiptoken';
export type { PagingCookie } from './skiptoken';
export { encodeDeltaToken, formatDeltaToken, parseDeltaToken } from './changetracking';
export {
  createDefaultMetadata,
  DEFAULT_CHANGE_TRACKED_ENTITIES,
  DEFAULT_ENTITY_NAMES,
  DEFAULT_GLOBAL_OPTION_SETS,
  DEFAULT_MULTILANGUAGE_COLUMNS,
  DEFAULT_PICKLIST_OPTION_COUNTS,
  DEFAULT_PICKLIST_OPTION_TOTAL,
  DEFAULT_READ_DENIED_ENTITY,
} from './default-metadata';
export { createLargeWorld, generateLargeOrg, LARGE_ORG_GLOBAL_OPTION_SETS } from './generate-org';
export type { LargeOrgOptions } from './generate-org';
export { batchRoute, MAX_BATCH_REQUESTS } from './batch';
export type { InnerRequestLogEntry } from './batch';
export { attr, entity, localOptionSet, stateAndStatus } from './metadata-builders';
export { derivedGuid } from './metadata-labels';
export type { AttributeDef, AttributeTypeCode, EntityDef, OptionDef, OptionSetDef, OrgMetadata } from './model';
