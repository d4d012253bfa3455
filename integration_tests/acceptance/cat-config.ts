/**
 * acceptance-test-config.yml (at the connector root): loading, and the keys the runner understands.
 *
 * The file is in the format of Airbyte's connector-acceptance-test (connector_acceptance_test/config.py,
 * whose models forbid unknown keys). KNOWN_KEYS lists, per level, the subset of that format this
 * runner implements; a key outside it fails the config test instead of being silently ignored.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { ROOT } from '../helpers/cli';

export const CAT_CONFIG_FILE = path.join(ROOT, 'acceptance-test-config.yml');

export interface NamedBypass {
  name: string;
  bypass_reason?: string;
}
export interface SpecTest {
  spec_path: string;
  config_path?: string;
  timeout_seconds?: number;
}
export interface ConnectionTest {
  config_path: string;
  status: 'succeed' | 'failed' | 'exception';
  timeout_seconds?: number;
}
export interface DiscoveryTest {
  config_path: string;
  timeout_seconds?: number;
  validate_primary_keys_data_type?: boolean;
}
export interface BasicReadTest {
  config_path: string;
  configured_catalog_path: string;
  empty_streams?: NamedBypass[];
  expect_records?: { path?: string; exact_order?: boolean; bypass_reason?: string };
  expect_trace_message_on_failure?: boolean;
  fail_on_extra_columns?: boolean;
  timeout_seconds?: number;
}
export interface FullRefreshTest {
  config_path: string;
  configured_catalog_path: string;
  ignored_fields?: Record<string, NamedBypass[]>;
  timeout_seconds?: number;
}
export interface IncrementalTest {
  config_path: string;
  configured_catalog_path: string;
  future_state?: { future_state_path?: string; missing_streams?: NamedBypass[]; bypass_reason?: string };
  skip_comprehensive_incremental_tests?: boolean;
  timeout_seconds?: number;
}
interface Section<T> {
  tests?: T[];
  bypass_reason?: string;
}
export interface CatConfig {
  connector_image: string;
  test_strictness_level?: 'high' | 'low';
  acceptance_tests: {
    spec?: Section<SpecTest>;
    connection?: Section<ConnectionTest>;
    discovery?: Section<DiscoveryTest>;
    basic_read?: Section<BasicReadTest>;
    full_refresh?: Section<FullRefreshTest>;
    incremental?: Section<IncrementalTest>;
  };
}

/** Per level of the file, the keys this runner implements (all of them exist in CAT's format). */
export const KNOWN_KEYS: Record<string, readonly string[]> = {
  '': ['connector_image', 'test_strictness_level', 'acceptance_tests'],
  acceptance_tests: ['spec', 'connection', 'discovery', 'basic_read', 'full_refresh', 'incremental'],
  section: ['tests', 'bypass_reason'],
  spec: ['spec_path', 'config_path', 'timeout_seconds'],
  connection: ['config_path', 'status', 'timeout_seconds'],
  discovery: ['config_path', 'timeout_seconds', 'validate_primary_keys_data_type'],
  basic_read: ['config_path', 'configured_catalog_path', 'empty_streams', 'expect_records', 'expect_trace_message_on_failure', 'fail_on_extra_columns', 'timeout_seconds'],
  expect_records: ['path', 'exact_order', 'bypass_reason'],
  full_refresh: ['config_path', 'configured_catalog_path', 'ignored_fields', 'timeout_seconds'],
  incremental: ['config_path', 'configured_catalog_path', 'future_state', 'skip_comprehensive_incremental_tests', 'timeout_seconds'],
  future_state: ['future_state_path', 'missing_streams', 'bypass_reason'],
  named: ['name', 'bypass_reason'],
};

const BOOLEAN_KEYS = ['validate_primary_keys_data_type', 'expect_trace_message_on_failure', 'fail_on_extra_columns', 'skip_comprehensive_incremental_tests'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Keys the runner does not implement, and shape errors, as "where: what" lines. */
export function configProblems(raw: unknown): string[] {
  const problems: string[] = [];
  const keys = (where: string, value: unknown, level: string) => {
    if (!isObject(value)) {
      problems.push(`${where || '/'}: not a mapping`);
      return;
    }
    for (const k of Object.keys(value)) if (!KNOWN_KEYS[level].includes(k)) problems.push(`${where || '/'}: unknown key ${k}`);
  };
  keys('', raw, '');
  if (!isObject(raw)) return problems;
  if (typeof raw.connector_image !== 'string' || !/^[\w./-]+:[\w.-]+$/.test(raw.connector_image)) problems.push('connector_image: not an image:tag');
  if (raw.test_strictness_level !== undefined && !['high', 'low'].includes(raw.test_strictness_level as string)) problems.push('test_strictness_level: high or low');
  keys('acceptance_tests', raw.acceptance_tests, 'acceptance_tests');
  if (!isObject(raw.acceptance_tests)) return problems;
  for (const [name, section] of Object.entries(raw.acceptance_tests)) {
    keys(name, section, 'section');
    if (!isObject(section)) continue;
    if (section.tests !== undefined && !Array.isArray(section.tests)) problems.push(`${name}.tests: not a list`);
    if (section.tests && section.bypass_reason) problems.push(`${name}: bypass_reason and tests both set`);
    ((section.tests as unknown[]) ?? []).forEach((t, k) => {
      const where = `${name}.tests[${k}]`;
      keys(where, t, name);
      if (!isObject(t)) return;
      if (name !== 'spec' && typeof t.config_path !== 'string') problems.push(`${where}: config_path missing`);
      if (name === 'connection' && !['succeed', 'failed', 'exception'].includes(t.status as string)) problems.push(`${where}.status: succeed, failed or exception`);
      for (const flag of BOOLEAN_KEYS) if (flag in t && typeof t[flag] !== 'boolean') problems.push(`${where}.${flag}: not a boolean`);
      if (t.expect_records !== undefined) {
        keys(`${where}.expect_records`, t.expect_records, 'expect_records');
        const exact = (t.expect_records as Record<string, unknown>)?.exact_order;
        if (exact !== undefined && typeof exact !== 'boolean') problems.push(`${where}.expect_records.exact_order: not a boolean`);
      }
      if (t.future_state !== undefined) keys(`${where}.future_state`, t.future_state, 'future_state');
      const named: unknown[] = [
        ...((t.empty_streams as unknown[]) ?? []),
        ...(((t.future_state as Record<string, unknown>)?.missing_streams as unknown[]) ?? []),
        ...Object.values((t.ignored_fields as Record<string, unknown[]>) ?? {}).flat(),
      ];
      named.forEach((n, j) => keys(`${where} (name ${j})`, n, 'named'));
    });
  }
  return problems;
}

/** The parsed file (throws with the problems when it breaks the format). */
export function loadCatConfig(file = CAT_CONFIG_FILE): CatConfig {
  // YAML 1.1 as CAT's PyYAML reads it (`no` is false there, a string in YAML 1.2).
  const raw = YAML.parse(fs.readFileSync(file, 'utf8'), { version: '1.1' }) as unknown;
  const problems = configProblems(raw);
  if (problems.length > 0) throw new Error(`${file}:\n${problems.join('\n')}`);
  return raw as CatConfig;
}
