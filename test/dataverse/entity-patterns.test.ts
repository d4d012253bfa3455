import { ConfigError } from '../../connector/errors';
import { expandPatterns, globMatcher, isPattern } from '../../connector/dataverse/entity-patterns';

const TABLES = ['msdyn_workorder', 'account', 'msdyn_agreement', 'contact', 'organization', 'msdynx'];
const expand = (items: string[]) => expandPatterns({ items, tables: TABLES, reserved: new Set(['organization']), orgUrl: 'https://org.example' });

describe('entities patterns', () => {
  test('only items with * are patterns', () => {
    expect(['*', 'msdyn_*', 'account', 'a_b'].map(isPattern)).toEqual([true, true, false, false]);
  });

  test('* matches any run of characters, the whole name only; _ is literal', () => {
    const m = globMatcher('msdyn_*');
    expect(TABLES.filter(m)).toEqual(['msdyn_workorder', 'msdyn_agreement']);
    expect(['account', 'xaccount', 'accountx'].filter(globMatcher('acc*nt'))).toEqual(['account']);
    expect(TABLES.filter(globMatcher('*'))).toEqual(TABLES);
  });

  test('patterns become their sorted matches in place; exact names stay; each table once; reserved names never matched', () => {
    expect(expand(['contact', 'msdyn_*', '*'])).toEqual(['contact', 'msdyn_agreement', 'msdyn_workorder', 'account', 'msdynx']);
    expect(expand(['*', 'account'])).toEqual(['contact', 'msdyn_agreement', 'msdyn_workorder', 'msdynx', 'account']);
  });

  test('every pattern matching nothing is named in one config error', () => {
    expect(() => expand(['zz_*', 'account', 'organization*'])).toThrow(
      new ConfigError(
        'config field "entities.0" is "zz_*", which matches no table in https://org.example; config field "entities.2" is "organization*", which matches no table in https://org.example: patterns match table logical names (e.g. "msdyn_*" for the tables whose names start with msdyn_); correct the pattern or remove it',
      ),
    );
  });
});
