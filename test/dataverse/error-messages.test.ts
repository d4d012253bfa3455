import { setupGuideDescriber } from '../../connector/dataverse/error-messages';

const describer = setupGuideDescriber({
  orgUrl: 'https://contoso.crm4.dynamics.com',
  tenantId: 'f6976b02-5a42-4e90-ac3d-8bf516ce0859',
  clientId: 'a8fdfbd0-da97-42d9-8f1a-fd6a7cb650b4',
  authorityHost: 'https://login.microsoftonline.com',
});

describe('setupGuideDescriber', () => {
  test('Dataverse codes in any case, quoting the privilege the service names', () => {
    expect(describer.describeResponse('0x80040220', 'Principal user is missing prvReadAccount privilege')).toBe(
      'The application user of app a8fdfbd0-da97-42d9-8f1a-fd6a7cb650b4 lacks the prvReadAccount privilege in https://contoso.crm4.dynamics.com: assign it the System Reader role, or add the prvReadAccount privilege to its read-only role (setup step 3).',
    );
    expect(describer.describeResponse('0X80072560', '')).toBe(
      'App a8fdfbd0-da97-42d9-8f1a-fd6a7cb650b4 has no application user in the Dataverse environment https://contoso.crm4.dynamics.com: create an application user for it in the Power Platform admin center and assign it the System Reader role (setup step 3).',
    );
  });

  test('codes the guide does not cover, and no code, are left to the caller', () => {
    expect(describer.describeResponse('0x80060888', 'Resource not found')).toBeUndefined();
    expect(describer.describeResponse(undefined, '')).toBeUndefined();
    expect(describer.describeTokenError(50000)).toBeUndefined();
  });

  test('a token rejected twice and an Entra error number', () => {
    expect(describer.rejectedToken()).toBe(
      'Dataverse at https://contoso.crm4.dynamics.com rejected the access token of app a8fdfbd0-da97-42d9-8f1a-fd6a7cb650b4 twice: check that org_url is an environment of tenant f6976b02-5a42-4e90-ac3d-8bf516ce0859 (setup steps 3 and 4)',
    );
    expect(describer.describeTokenError(90002)).toBe(
      'Tenant f6976b02-5a42-4e90-ac3d-8bf516ce0859 was not found at https://login.microsoftonline.com: check tenant_id against the Directory (tenant) ID of the app registration (setup step 1), and authority_host if the environment is in a sovereign cloud.',
    );
  });
});
