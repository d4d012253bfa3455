/**
 * What each Entra ID (AADSTS) and Dataverse error code means for the customer, in the terms of the
 * setup guide (step 1: app registration, step 2: client secret, step 3: application user and role,
 * step 4: org URL). The tables are data so docs and tests can list them.
 */
import type { ErrorDescriber } from '../http/error-describer';

/** Facts a message may name: never the secret. */
export interface ErrorContext {
  orgUrl: string;
  tenantId: string;
  clientId: string;
  authorityHost: string;
}

type Describe = (ctx: ErrorContext, detail: string) => string;

/** AADSTS error number -> customer message. */
export const ENTRA_ERRORS: Readonly<Record<number, Describe>> = {
  7000215: (c) =>
    `The client secret is invalid for app ${c.clientId}: copy the secret's Value (not its Secret ID), or create a new client secret (setup step 2), and update client_secret.`,
  7000222: (c) =>
    `The client secret of app ${c.clientId} has expired: create a new client secret (setup step 2) and update client_secret.`,
  700016: (c) =>
    `No application with client_id ${c.clientId} exists in tenant ${c.tenantId}: check client_id against the Application (client) ID and tenant_id against the Directory (tenant) ID of the app registration (setup step 1).`,
  90002: (c) =>
    `Tenant ${c.tenantId} was not found at ${c.authorityHost}: check tenant_id against the Directory (tenant) ID of the app registration (setup step 1), and authority_host if the environment is in a sovereign cloud.`,
  500011: (c) =>
    `Tenant ${c.tenantId} has no Dataverse environment at ${c.orgUrl}: check org_url (setup step 4) and that the environment belongs to the same tenant as the app registration.`,
  70011: (c) =>
    `Entra ID rejected the token scope ${c.orgUrl}/.default: check org_url (setup step 4).`,
  7000218: (c) =>
    `Entra ID received no client secret for app ${c.clientId}: set client_secret to the secret's Value (setup step 2).`,
  700024: (c) => `Entra ID rejected the client credentials for app ${c.clientId}: create a new client secret (setup step 2).`,
};

/** Dataverse error code (hex, lower case) -> customer message. */
export const DATAVERSE_ERRORS: Readonly<Record<string, Describe>> = {
  '0x80072560': (c) =>
    `App ${c.clientId} has no application user in the Dataverse environment ${c.orgUrl}: create an application user for it in the Power Platform admin center and assign it the System Reader role (setup step 3).`,
  '0x80042f09': (c) =>
    `The application user of app ${c.clientId} has no security role in ${c.orgUrl}: assign it the System Reader role, or an equivalent read-only role (setup step 3).`,
  '0x80040220': (c, detail) => {
    const privilege = /missing (prv\w+) privilege/.exec(detail)?.[1];
    const what = privilege ? `the ${privilege} privilege` : 'a read privilege';
    return `The application user of app ${c.clientId} lacks ${what} in ${c.orgUrl}: assign it the System Reader role, or add ${what} to its read-only role (setup step 3).`;
  },
  '0x80042f0a': (c) =>
    `The team of the application user of app ${c.clientId} has no security role in ${c.orgUrl}: assign the System Reader role (setup step 3).`,
};

/** The Entra message for an AADSTS number, or undefined when the number is not one the guide covers. */
export function describeEntraError(code: number, ctx: ErrorContext): string | undefined {
  return ENTRA_ERRORS[code]?.(ctx, '');
}

/** The Dataverse message for an error code, or undefined when the code is not one the guide covers. */
export function describeDataverseError(code: string | undefined, ctx: ErrorContext, detail: string): string | undefined {
  if (!code) return undefined;
  return DATAVERSE_ERRORS[code.toLowerCase()]?.(ctx, detail);
}

/** What the requesters and the authenticator are given to word Entra ID and Dataverse failures for `ctx`. */
export function setupGuideDescriber(ctx: ErrorContext): ErrorDescriber {
  return {
    describeResponse: (code, detail) => describeDataverseError(code, ctx, detail),
    rejectedToken: () =>
      `Dataverse at ${ctx.orgUrl} rejected the access token of app ${ctx.clientId} twice: check that org_url is an environment of tenant ${ctx.tenantId} (setup steps 3 and 4)`,
    describeTokenError: (code) => describeEntraError(code, ctx),
  };
}
