/** spec.yaml, loaded once: the Spec component and its connection_specification. */
import * as fs from 'node:fs';
import * as YAML from 'yaml';
import { SPEC_PATH } from '../paths';

/** The Spec as written in spec.yaml (Airbyte's declarative, snake_case form). */
export interface SpecComponent {
  type: 'Spec';
  documentation_url?: string;
  connection_specification: Record<string, unknown>;
}

let cached: SpecComponent | undefined;

export function loadSpec(): SpecComponent {
  if (!cached) cached = YAML.parse(fs.readFileSync(SPEC_PATH, 'utf8')) as SpecComponent;
  return cached;
}
