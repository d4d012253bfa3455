import { DEFAULTED_FIELDS, normaliseOrgUrl, parseConfig } from '../../connector/config/config';
import { loadSpec } from '../../connector/config/spec';
import { ConfigError } from '../../connector/errors';

const properties = loadSpec().connection_specification.properties as Record<string, Record<string, unknown>>;
/** The field list unknown-field messages end with: spec.yaml's properties, in order. */
const KNOWN_FIELDS = Object.keys(properties).join(', ');

const good = {
  org_url: 'https://contoso.crm4.dynamics.com',
  tenant_id: 'f6976b02-5a42-4e90-ac3d-8bf516ce0859',
  client_id: 'a8fdfbd0-da97-42d9-8f1a-fd6a7cb650b4',
  client_secret: 'very-secret-value-123',
};

describe('parseConfig', () => {
  test('fills defaults and normalises', () => {
    expect(parseConfig({ ...good, org_url: 'https://Contoso.crm4.dynamics.com/api/data/v9.2/' })).toEqual({
      ...good,
      authority_host: 'https://login.microsoftonline.com',
      page_size: 5000,
      formatted_values: false,
      request_timeout_seconds: 120,
      max_retry_after_seconds: 300,
      picklists: undefined,
      entities: undefined,
    });
  });

  test('the defaults are spec.yaml\'s, filled in by ajv, and the caller\'s object is left as given', () => {
    const withDefault = Object.keys(properties).filter((field) => properties[field].default !== undefined);
    expect(withDefault).toEqual([...DEFAULTED_FIELDS]);
    const input = { ...good };
    const parsed = parseConfig(input) as unknown as Record<string, unknown>;
    expect(withDefault.map((field) => [field, parsed[field]])).toEqual(withDefault.map((field) => [field, properties[field].default]));
    expect(input).toEqual(good);
    expect(parseConfig({ ...good, page_size: 7 }).page_size).toBe(7);
  });

  test('max_parallel_requests has no default: absent stays absent (the dop hint decides), set is kept', () => {
    expect('max_parallel_requests' in parseConfig(good)).toBe(false);
    expect(parseConfig({ ...good, max_parallel_requests: 1 }).max_parallel_requests).toBe(1);
    expect(parseConfig({ ...good, max_parallel_requests: 52 }).max_parallel_requests).toBe(52);
  });

  test('integer ranges in the messages come from spec.yaml\'s minimum and maximum', () => {
    for (const field of ['page_size', 'request_timeout_seconds', 'max_retry_after_seconds']) {
      const { minimum, maximum } = properties[field] as { minimum: number; maximum: number };
      expect(() => parseConfig({ ...good, [field]: maximum + 1 })).toThrow(
        `config field "${field}" has an invalid value: set it to an integer from ${minimum} to ${maximum}`,
      );
    }
  });

  const rejections: Array<[string, Record<string, unknown>, string]> = [
    ['missing secret', { ...good, client_secret: undefined }, 'the config is missing the required field "client_secret": set it to the client secret\'s Value from Certificates & secrets (setup step 2)'],
    ['non-GUID tenant', { ...good, tenant_id: 'contoso.onmicrosoft.com' }, 'config field "tenant_id" has an invalid value: set it to the Directory (tenant) ID GUID from the app registration overview (setup step 1)'],
    ['non-GUID client', { ...good, client_id: '1234' }, 'config field "client_id" has an invalid value: set it to the Application (client) ID GUID from the app registration overview (setup step 1)'],
    ['http org url', { ...good, org_url: 'http://contoso.crm4.dynamics.com' }, 'config field "org_url" has an invalid value: set it to the URL of your Dynamics 365 environment, e.g. https://contoso.crm4.dynamics.com (setup step 4); https only, http only for localhost'],
    ['page size too large', { ...good, page_size: 6000 }, 'config field "page_size" has an invalid value: set it to an integer from 1 to 5000'],
    ['page size as string', { ...good, page_size: '50' }, 'config field "page_size" must be an integer: set it to an integer from 1 to 5000'],
    ['entities not a list', { ...good, entities: 'account' }, 'config field "entities" must be a list: set it to a list of entity logical names or patterns, e.g. ["account", "opportunity"], ["msdyn_*"] or ["*"]'],
    ['empty secret', { ...good, client_secret: '' }, 'config field "client_secret" is empty: set it to the client secret\'s Value from Certificates & secrets (setup step 2)'],
    ['a 1,025-character secret', { ...good, client_secret: 's'.repeat(1025) }, 'config field "client_secret" is 1025 characters long, more than the 1024 allowed: set it to the client secret\'s Value from Certificates & secrets (setup step 2)'],
    // Too long and not matching the pattern: one message, the length (the pattern adds nothing).
    ['a 100 KB org url without a scheme', { ...good, org_url: 'u'.repeat(100_000) }, 'config field "org_url" is 100000 characters long, more than the 2048 allowed: set it to the URL of your Dynamics 365 environment, e.g. https://contoso.crm4.dynamics.com (setup step 4); https only, http only for localhost'],
    ['an entity name of 129 characters', { ...good, entities: ['e'.repeat(129)] }, 'config field "entities.0" is 129 characters long, more than the 128 allowed: set it to a list of entity logical names or patterns, e.g. ["account", "opportunity"], ["msdyn_*"] or ["*"]'],
    // Over maxItems: the items themselves are not listed one by one.
    ['10,001 malformed entities', { ...good, entities: Array.from({ length: 10_001 }, () => 'Bad Name') }, 'config field "entities" lists 10001 items, more than the 10000 allowed: set it to a list of entity logical names or patterns, e.g. ["account", "opportunity"], ["msdyn_*"] or ["*"]'],
    [
      'seven malformed entities: five messages and a count',
      { ...good, entities: Array.from({ length: 7 }, () => 'Bad Name') },
      [0, 1, 2, 3, 4].map((i) => `config field "entities.${i}" has an invalid value: set it to a list of entity logical names or patterns, e.g. ["account", "opportunity"], ["msdyn_*"] or ["*"]`).join('; ') + '; ... (7 problems in all)',
    ],
    ['max_parallel_requests 0', { ...good, max_parallel_requests: 0 }, 'config field "max_parallel_requests" has an invalid value: set it to an integer from 1 to 52'],
    ['max_parallel_requests above 52', { ...good, max_parallel_requests: 53 }, 'config field "max_parallel_requests" has an invalid value: set it to an integer from 1 to 52'],
    ['max_parallel_requests 2.5', { ...good, max_parallel_requests: 2.5 }, 'config field "max_parallel_requests" must be an integer: set it to an integer from 1 to 52'],
    ['max_parallel_requests a string', { ...good, max_parallel_requests: '8' }, 'config field "max_parallel_requests" must be an integer: set it to an integer from 1 to 52'],
    ['an org url with a long path', { ...good, org_url: `https://contoso.crm4.dynamics.com/${'p'.repeat(100)}` }, `config field "org_url" must be the environment's base URL without a path (found "/${'p'.repeat(59)}..." (101 characters)): set it to the URL of your Dynamics 365 environment, e.g. https://contoso.crm4.dynamics.com (setup step 4); https only, http only for localhost`],
  ];
  test.each(rejections)('rejects %s', (_name, config, message) => {
    expect(() => parseConfig(config)).toThrow(new ConfigError(message));
  });

  test('rejects unknown fields, suggesting the near one', () => {
    expect(() => parseConfig({ ...good, page_sise: 10, colour: 'red' })).toThrow(
      new ConfigError(
        `config field "page_sise" is not known (did you mean "page_size"?): remove it; config field "colour" is not known: remove it (known fields: ${KNOWN_FIELDS})`,
      ),
    );
  });

  test('names five unknown fields at most, cut, and counts the rest', () => {
    const stray = Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`${'k'.repeat(70)}${i}`, 1]));
    expect(() => parseConfig({ ...good, ...stray })).toThrow(
      new ConfigError(
        Array.from({ length: 5 }, () => `config field "${'k'.repeat(60)}..." (71 characters) is not known: remove it`).join('; ') +
          `; ... (7 unknown fields in all) (known fields: ${KNOWN_FIELDS})`,
      ),
    );
  });

  test('never echoes a too-long secret', () => {
    const secret = `S3cr3t-${'z'.repeat(2000)}`;
    expect(() => parseConfig({ ...good, client_secret: secret })).toThrow(/client_secret/);
    try {
      parseConfig({ ...good, client_secret: secret });
    } catch (err) {
      expect((err as Error).message).not.toContain('S3cr3t');
    }
  });

  test('accepts platform keys starting with __', () => {
    expect(parseConfig({ ...good, __injected: 1 }).org_url).toBe(good.org_url);
  });

  test('never echoes the secret when it is the wrong type', () => {
    try {
      parseConfig({ ...good, client_secret: 12345678901 });
      throw new Error('no error');
    } catch (err) {
      expect((err as Error).message).not.toContain('12345678901');
    }
  });
});

describe('normaliseOrgUrl', () => {
  test.each([
    ['https://contoso.crm.dynamics.com/', 'https://contoso.crm.dynamics.com'],
    ['https://contoso.crm.dynamics.com/api/data/v9.2', 'https://contoso.crm.dynamics.com'],
    ['http://127.0.0.1:8443', 'http://127.0.0.1:8443'],
    ['http://localhost:1234/', 'http://localhost:1234'],
  ])('%s -> %s', (input, output) => {
    expect(normaliseOrgUrl(input)).toBe(output);
  });
  test('refuses a path', () => {
    expect(() => normaliseOrgUrl('https://contoso.crm.dynamics.com/main.aspx')).toThrow('must be the environment\'s base URL without a path (found "/main.aspx")');
  });
});
