/**
 * Validates every message the CLI prints: against the project's message schema always, and against
 * Airbyte's official protocol schema where ../shared/airbyte/ exists (CI and developer machines).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import * as YAML from 'yaml';

const ROOT = path.resolve(__dirname, '..', '..');
export const SHARED_AIRBYTE = path.resolve(ROOT, '..', 'shared', 'airbyte');
export const HAS_SHARED_AIRBYTE = fs.existsSync(path.join(SHARED_AIRBYTE, 'airbyte_protocol.yaml'));

type Validate = ((data: unknown) => boolean) & { errors?: unknown };

let projectValidator: Validate | undefined;
let officialValidator: Validate | undefined;

function project(): Validate {
  if (!projectValidator) {
    const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas', 'protocol', 'airbyte_message.json'), 'utf8'));
    projectValidator = new Ajv({ allErrors: true, strict: false }).compile(schema) as Validate;
  }
  return projectValidator;
}

function official(): Validate | undefined {
  if (!HAS_SHARED_AIRBYTE) return undefined;
  if (!officialValidator) {
    const protocol = YAML.parse(fs.readFileSync(path.join(SHARED_AIRBYTE, 'airbyte_protocol.yaml'), 'utf8'));
    delete protocol.$schema;
    delete protocol.$id;
    const schema = { ...protocol, $ref: '#/definitions/AirbyteMessage' };
    delete schema.properties;
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    officialValidator = ajv.compile(schema) as Validate;
  }
  return officialValidator;
}

/** Throws with the validator's complaint when a message breaks either schema. */
export function assertValidMessage(message: unknown): void {
  for (const [name, validate] of [['project message schema', project()], ['Airbyte protocol schema', official()]] as const) {
    if (validate && !validate(message)) {
      throw new Error(`message breaks the ${name}: ${JSON.stringify(validate.errors).slice(0, 1000)}\n${JSON.stringify(message).slice(0, 500)}`);
    }
  }
}

/** Whether the official schema was also checked (to report in tests). */
export function officialSchemaChecked(): boolean {
  return official() !== undefined;
}
