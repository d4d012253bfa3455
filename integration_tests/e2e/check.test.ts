/**
 * `check` end to end: the built CLI against the HTTPS emulator, through the real MSAL and fetch.
 * Every customer-caused failure is CONNECTION_STATUS FAILED naming the setup step, exit code 0.
 */
import { once } from 'node:events';
import * as net from 'node:net';
import { startEmulator, type ConnectorConfig, type Emulator } from '../emulator';
import {
  EXPIRED_CLIENT_SECRET,
  EXPIRED_SECRET_CLIENT_ID,
  GOOD_CLIENT_ID,
  NO_APP_USER_CLIENT_ID,
  NO_APP_USER_CLIENT_SECRET,
  NO_ROLES_CLIENT_ID,
  NO_ROLES_CLIENT_SECRET,
  UNKNOWN_CLIENT_ID,
  UNKNOWN_TENANT_ID,
  WRONG_CLIENT_SECRET,
} from '../emulator/world';
import { runCli, writeJson } from '../helpers/cli';

let emulator: Emulator;
let closedPort: number;
beforeAll(async () => {
  emulator = await startEmulator();
  // A port that was just free: nothing listens there.
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  closedPort = (server.address() as net.AddressInfo).port;
  server.close();
});
afterAll(() => emulator.close());

async function check(config: Partial<ConnectorConfig> | Record<string, unknown>) {
  const result = await runCli(['check', '--config', writeJson(`check-${Math.random()}.json`, config)]);
  expect(result.code).toBe(0);
  expect(result.messages).toHaveLength(1);
  expect(result.messages[0].type).toBe('CONNECTION_STATUS');
  return result.messages[0].connectionStatus as { status: string; message?: string };
}

test('good config: SUCCEEDED', async () => {
  expect(await check(emulator.config())).toEqual({ status: 'SUCCEEDED' });
});

describe('customer-caused failures are FAILED with the setup step to fix', () => {
  const cases: Array<[string, () => Record<string, unknown>, () => string]> = [
    [
      'wrong secret (AADSTS7000215)',
      () => emulator.config({ client_secret: WRONG_CLIENT_SECRET }),
      () => `The client secret is invalid for app ${GOOD_CLIENT_ID}: copy the secret's Value (not its Secret ID), or create a new client secret (setup step 2), and update client_secret.`,
    ],
    [
      'expired secret (AADSTS7000222)',
      () => emulator.config({ client_id: EXPIRED_SECRET_CLIENT_ID, client_secret: EXPIRED_CLIENT_SECRET }),
      () => `The client secret of app ${EXPIRED_SECRET_CLIENT_ID} has expired: create a new client secret (setup step 2) and update client_secret.`,
    ],
    [
      'app not in tenant (AADSTS700016)',
      () => emulator.config({ client_id: UNKNOWN_CLIENT_ID }),
      () => `No application with client_id ${UNKNOWN_CLIENT_ID} exists in tenant f6976b02-5a42-4e90-ac3d-8bf516ce0859: check client_id against the Application (client) ID and tenant_id against the Directory (tenant) ID of the app registration (setup step 1).`,
    ],
    [
      'tenant not found (AADSTS90002)',
      () => emulator.config({ tenant_id: UNKNOWN_TENANT_ID }),
      () => `Tenant ${UNKNOWN_TENANT_ID} was not found at ${emulator.loginUrl}: check tenant_id against the Directory (tenant) ID of the app registration (setup step 1), and authority_host if the environment is in a sovereign cloud.`,
    ],
    [
      'no application user (403 0x80072560)',
      () => emulator.config({ client_id: NO_APP_USER_CLIENT_ID, client_secret: NO_APP_USER_CLIENT_SECRET }),
      () => `App ${NO_APP_USER_CLIENT_ID} has no application user in the Dataverse environment ${emulator.orgUrl}: create an application user for it in the Power Platform admin center and assign it the System Reader role (setup step 3).`,
    ],
    [
      'application user without a role (403 0x80042f09)',
      () => emulator.config({ client_id: NO_ROLES_CLIENT_ID, client_secret: NO_ROLES_CLIENT_SECRET }),
      () => `The application user of app ${NO_ROLES_CLIENT_ID} has no security role in ${emulator.orgUrl}: assign it the System Reader role, or an equivalent read-only role (setup step 3).`,
    ],
    [
      'org URL with an untrusted TLS certificate',
      () => emulator.config({ org_url: emulator.untrustedOrgUrl }),
      () => `The TLS certificate of ${emulator.untrustedOrgUrl} is not trusted (TLS failure (DEPTH_ZERO_SELF_SIGNED_CERT)): check org_url (setup step 4), or the proxy/CA setup of this machine`,
    ],
    [
      'org URL unreachable',
      () => emulator.config({ org_url: `https://127.0.0.1:${closedPort}` }),
      () => `Cannot reach https://127.0.0.1:${closedPort} (connection refused (ECONNREFUSED)): check org_url (setup step 4) and this machine's network access to it`,
    ],
    [
      'authority host unreachable',
      () => emulator.config({ authority_host: `https://127.0.0.1:${closedPort}` }),
      () => `Cannot reach the authority host https://127.0.0.1:${closedPort} (connection refused (ECONNREFUSED)): check authority_host and this machine's network access to it`,
    ],
    [
      'authority host with an untrusted TLS certificate',
      () => emulator.config({ authority_host: emulator.untrustedOrgUrl }),
      () => `The TLS certificate of the authority host ${emulator.untrustedOrgUrl} is not trusted (TLS failure (DEPTH_ZERO_SELF_SIGNED_CERT)): check authority_host, or the proxy/CA setup of this machine`,
    ],
    [
      'missing client_secret',
      () => ({ ...emulator.config(), client_secret: undefined }),
      () => 'the config is missing the required field "client_secret": set it to the client secret\'s Value from Certificates & secrets (setup step 2)',
    ],
    [
      'tenant_id not a GUID',
      () => emulator.config({ tenant_id: 'contoso.onmicrosoft.com' }),
      () => 'config field "tenant_id" has an invalid value: set it to the Directory (tenant) ID GUID from the app registration overview (setup step 1)',
    ],
    [
      'http org URL on a public host',
      () => emulator.config({ org_url: 'http://contoso.crm4.dynamics.com' }),
      () => 'config field "org_url" has an invalid value: set it to the URL of your Dynamics 365 environment, e.g. https://contoso.crm4.dynamics.com (setup step 4); https only, http only for localhost',
    ],
  ];
  test.each(cases)('%s', async (_name, config, message) => {
    expect(await check(config())).toEqual({ status: 'FAILED', message: message() });
  });
});
