/**
 * ACCEPTANCE.md "spec" points, asserted on the output of the built CLI's `spec` command.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { ROOT, runCli, type Message } from '../helpers/cli';

const SECRET_WORDS = /(client_secret|secret|password|token|key|tenant_id|credentials|refresh_token)/;

let connectionSpecification: Record<string, any>;
let spec: Message;

beforeAll(async () => {
  const result = await runCli(['spec']);
  expect(result.code).toBe(0);
  expect(result.messages).toHaveLength(1);
  spec = result.messages[0];
  connectionSpecification = spec.spec.connectionSpecification;
});

/** Every (path, schema) pair in the connection specification. */
function walk(schema: any, at = '', out: Array<[string, any]> = []): Array<[string, any]> {
  out.push([at, schema]);
  for (const [name, child] of Object.entries(schema.properties ?? {})) walk(child, `${at}.${name}`, out);
  if (schema.items && typeof schema.items === 'object') walk(schema.items, `${at}[]`, out);
  for (const variant of schema.oneOf ?? []) walk(variant, `${at}|oneOf`, out);
  return out;
}

describe('spec (ACCEPTANCE.md)', () => {
  test('SPEC message carries documentationUrl and connectionSpecification in camelCase', () => {
    expect(spec.type).toBe('SPEC');
    expect(Object.keys(spec.spec).sort()).toEqual(['connectionSpecification', 'documentationUrl', 'supported_destination_sync_modes', 'supportsIncremental']);
  });

  test('the connection specification is a valid draft-07 schema and the sample config validates', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(connectionSpecification);
    const sample = JSON.parse(fs.readFileSync(path.join(ROOT, 'integration_tests', 'sample_config.json'), 'utf8'));
    expect(validate(sample)).toBe(true);
    const invalid = JSON.parse(fs.readFileSync(path.join(ROOT, 'integration_tests', 'invalid_config.json'), 'utf8'));
    expect(validate(invalid)).toBe(false);
  });

  test('no duplicate enum values; no oneOf without a common const', () => {
    for (const [at, schema] of walk(connectionSpecification)) {
      if (schema.enum) expect([at, new Set(schema.enum).size]).toEqual([at, schema.enum.length]);
      expect([at, schema.anyOf]).toEqual([at, undefined]);
    }
  });

  test('secret-looking scalar properties are airbyte_secret, others are not', () => {
    const properties = Object.entries(connectionSpecification.properties as Record<string, any>);
    const secrets = properties.filter(([, s]) => s.airbyte_secret === true).map(([n]) => n).sort();
    expect(secrets).toEqual(['client_secret', 'tenant_id']);
    for (const [name, schema] of properties) {
      if (SECRET_WORDS.test(name) && ['string', 'integer', 'number'].includes(schema.type)) expect([name, schema.airbyte_secret]).toEqual([name, true]);
    }
  });

  test('types are one type or [T, "null"]; arrays have one items schema; objects have properties; forbidden keywords absent', () => {
    for (const [at, schema] of walk(connectionSpecification)) {
      const t = schema.type;
      if (Array.isArray(t)) expect([at, t.length === 2 && t.includes('null')]).toEqual([at, true]);
      else expect([at, typeof t]).toEqual([at, 'string']);
      if (t === 'array') expect([at, typeof schema.items === 'object' && !Array.isArray(schema.items)]).toEqual([at, true]);
      if (t === 'object') expect([at, typeof schema.properties]).toEqual([at, 'object']);
      for (const keyword of ['not', 'anyOf', 'patternProperties', 'allOf', 'if', 'then', 'else', '$ref']) {
        expect([at, keyword, schema[keyword]]).toEqual([at, keyword, undefined]);
      }
      if ('additionalProperties' in schema) expect([at, schema.additionalProperties]).toEqual([at, true]);
    }
  });

  test('order values are unique and group appears only on top-level fields', () => {
    const orders = Object.values(connectionSpecification.properties as Record<string, any>).map((s) => s.order);
    expect(new Set(orders).size).toBe(orders.length);
    for (const [at, schema] of walk(connectionSpecification)) {
      if (at.split('.').length > 2 || at.includes('[]')) expect([at, schema.group, schema.order]).toEqual([at, undefined, undefined]);
    }
  });

  test('required fields are the contract fields', () => {
    expect(connectionSpecification.required).toEqual(['org_url', 'tenant_id', 'client_id', 'client_secret']);
    expect(Object.keys(connectionSpecification.properties)).toEqual([
      'org_url', 'tenant_id', 'client_id', 'client_secret', 'authority_host', 'picklists', 'entities', 'page_size', 'formatted_values',
      'request_timeout_seconds', 'max_retry_after_seconds', 'max_parallel_requests',
    ]);
  });
});
