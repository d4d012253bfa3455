import { ManifestError } from '../../connector/manifest/errors';
import { ManifestNode } from '../../connector/manifest/node';

const BASE = 'streams[0].retriever.requester';

const component = {
  type: 'HttpRequester',
  url_base: 'https://example.test',
  port: 42,
  ratio: 0.5,
  enabled: true,
  empty: null,
  fields: ['a', 'b'],
  mixed: ['a', 7],
  headers: { Prefer: 'odata.maxpagesize=10' },
  items: [{ type: 'A' }, 'plain'],
  'Content-Type': 'x',
  $parameters: { name: 'org' },
  name: 'org',
};

function node(): ManifestNode {
  return new ManifestNode(component, BASE);
}

function errorOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ManifestError);
    return (error as ManifestError).message;
  }
  throw new Error('expected a ManifestError');
}

describe('ManifestNode getters return values', () => {
  const cases: Array<[string, (n: ManifestNode) => unknown, unknown]> = [
    ['type', (n) => n.type, 'HttpRequester'],
    ['str', (n) => n.str('url_base'), 'https://example.test'],
    ['optStr present', (n) => n.optStr('url_base'), 'https://example.test'],
    ['optStr missing', (n) => n.optStr('nope'), undefined],
    ['optStr null counts as absent', (n) => n.optStr('empty'), undefined],
    ['num', (n) => n.num('ratio'), 0.5],
    ['optNum missing', (n) => n.optNum('nope'), undefined],
    ['int', (n) => n.int('port'), 42],
    ['optInt', (n) => n.optInt('port'), 42],
    ['bool', (n) => n.bool('enabled'), true],
    ['bool default when missing', (n) => n.bool('nope', false), false],
    ['bool default when null', (n) => n.bool('empty', true), true],
    ['bool present ignores default', (n) => n.bool('enabled', false), true],
    ['strList', (n) => n.strList('fields'), ['a', 'b']],
    ['optStrList missing', (n) => n.optStrList('nope'), undefined],
    ['record', (n) => n.record('headers'), { Prefer: 'odata.maxpagesize=10' }],
    ['optRecord missing', (n) => n.optRecord('nope'), undefined],
    ['has present', (n) => n.has('port'), true],
    ['has null', (n) => n.has('empty'), false],
    ['has missing', (n) => n.has('nope'), false],
    ['child path', (n) => n.child('headers').path, `${BASE}.headers`],
    ['optChild missing', (n) => n.optChild('nope'), undefined],
    ['list paths', (n) => n.list('items').map((i) => i.path), [`${BASE}.items[0]`, `${BASE}.items[1]`]],
    ['list item raw', (n) => n.list('items')[1].raw, 'plain'],
    ['optList missing', (n) => n.optList('nope'), undefined],
    ['parameters', (n) => n.parameters, { name: 'org' }],
    ['expectType returns the type', (n) => n.expectType('NoAuth', 'HttpRequester'), 'HttpRequester'],
    ['keys in order', (n) => n.keys().slice(0, 3), ['type', 'url_base', 'port']],
    ['raw', (n) => n.raw, component],
  ];
  test.each(cases)('%s', (_name, read, expected) => {
    expect(read(node())).toEqual(expected);
  });
});

describe('ManifestNode errors name the path, what was found and what was expected', () => {
  const cases: Array<[string, (n: ManifestNode) => unknown, string]> = [
    ['str on a number', (n) => n.str('port'), `manifest error at ${BASE}.port: expected a string, found a number (42)`],
    ['str missing', (n) => n.str('path'), `manifest error at ${BASE}.path: required field is missing; expected a string`],
    ['str null', (n) => n.str('empty'), `manifest error at ${BASE}.empty: required field is missing; expected a string`],
    ['optStr on a list', (n) => n.optStr('fields'), `manifest error at ${BASE}.fields: expected a string, found a list of 2 items`],
    ['num on a string', (n) => n.num('url_base'), `manifest error at ${BASE}.url_base: expected a number, found a string ("https://example.test")`],
    ['int on a fraction', (n) => n.int('ratio'), `manifest error at ${BASE}.ratio: expected an integer, found a number (0.5)`],
    ['optInt on a boolean', (n) => n.optInt('enabled'), `manifest error at ${BASE}.enabled: expected an integer, found a boolean (true)`],
    ['bool on a mapping', (n) => n.bool('headers'), `manifest error at ${BASE}.headers: expected a boolean, found a mapping`],
    ['bool missing without default', (n) => n.bool('nope'), `manifest error at ${BASE}.nope: required field is missing; expected a boolean`],
    ['strList item', (n) => n.strList('mixed'), `manifest error at ${BASE}.mixed[1]: expected a string, found a number (7)`],
    ['optStrList on string', (n) => n.optStrList('url_base'), `manifest error at ${BASE}.url_base: expected a list of strings, found a string ("https://example.test")`],
    ['child on a string', (n) => n.child('url_base'), `manifest error at ${BASE}.url_base: expected a mapping, found a string ("https://example.test")`],
    ['child missing', (n) => n.child('authenticator'), `manifest error at ${BASE}.authenticator: required field is missing; expected a mapping`],
    ['list on a mapping', (n) => n.list('headers'), `manifest error at ${BASE}.headers: expected a list, found a mapping`],
    ['record on a list', (n) => n.record('fields'), `manifest error at ${BASE}.fields: expected a mapping, found a list of 2 items`],
    ['quoted key in path', (n) => n.num('Content-Type'), `manifest error at ${BASE}["Content-Type"]: expected a number, found a string ("x")`],
    ['fail', (n) => n.fail('something is off'), `manifest error at ${BASE}: something is off`],
    ['expectType one', (n) => n.expectType('NoAuth'), `manifest error at ${BASE}: expected a component of type "NoAuth", found type "HttpRequester"`],
    ['expectType many', (n) => n.expectType('A', 'B'), `manifest error at ${BASE}: expected a component of type one of "A", "B", found type "HttpRequester"`],
    ['keys of a non-mapping', (n) => n.list('items')[1].keys(), `manifest error at ${BASE}.items[1]: expected a mapping, found a string ("plain")`],
    ['getter on a non-mapping', (n) => n.list('items')[1].str('x'), `manifest error at ${BASE}.items[1]: expected a mapping, found a string ("plain")`],
    [
      'unknownKeys names the first unexpected key',
      (n) => n.unknownKeys(['url_base', 'port']),
      `manifest error at ${BASE}.ratio: unknown field "ratio" for HttpRequester; expected one of: port, url_base`,
    ],
  ];
  test.each(cases)('%s', (_name, read, message) => {
    expect(errorOf(() => read(node()))).toBe(message);
  });

  test('errors carry the path as a field', () => {
    try {
      node().int('url_base');
    } catch (error) {
      expect((error as ManifestError).path).toBe(`${BASE}.url_base`);
      expect((error as ManifestError).detail).toBe('expected an integer, found a string ("https://example.test")');
    }
    expect.assertions(2);
  });

  test('expectType on a component without a type', () => {
    expect(errorOf(() => new ManifestNode({}, 'check').expectType('CheckStream'))).toBe(
      'manifest error at check: expected a component of type "CheckStream", found no type',
    );
  });

  test('the root path is shown as (root)', () => {
    expect(errorOf(() => new ManifestNode({}, '').str('version'))).toBe(
      'manifest error at version: required field is missing; expected a string',
    );
    expect(errorOf(() => new ManifestNode([], '').keys())).toBe(
      'manifest error at (root): expected a mapping, found a list of 0 items',
    );
  });
});

describe('ManifestNode.unknownKeys', () => {
  test('accepts type, $parameters and propagated parameter fields', () => {
    const all = Object.keys(component).filter((k) => !['type', '$parameters', 'name'].includes(k));
    expect(() => node().unknownKeys(all)).not.toThrow();
  });

  test('a parameter-named field is only accepted when it is a parameter', () => {
    const n = new ManifestNode({ type: 'X', name: 'typo' }, 'streams[1]');
    expect(errorOf(() => n.unknownKeys(['path']))).toBe(
      'manifest error at streams[1].name: unknown field "name" for X; expected one of: path',
    );
  });
});

describe('ManifestNode.unknownKeys with fields refused by name', () => {
  const cursor = new ManifestNode({ type: 'DatetimeBasedCursor', cursor_field: 'modifiedon', step: 'P1D', $parameters: { step: 'P1D' } }, 'streams[0].incremental_sync');

  test('a documented field this engine does not carry out is refused by name, even when it is also a parameter', () => {
    expect(errorOf(() => cursor.unknownKeys(['cursor_field'], { step: '' }))).toBe(
      'manifest error at streams[0].incremental_sync.step: step is not supported by this engine; DatetimeBasedCursor reads only: cursor_field',
    );
  });

  test('the reason, when given, says what to do instead; kind names a component without a type', () => {
    const field = new ManifestNode({ path: ['a'], value_type: 'string' }, 'fields[0]');
    expect(errorOf(() => field.unknownKeys(['path', 'value'], { value_type: 'types come from the schema' }, 'AddedFieldDefinition'))).toBe(
      'manifest error at fields[0].value_type: value_type is not supported by this engine (types come from the schema); AddedFieldDefinition reads only: path, value',
    );
    expect(errorOf(() => new ManifestNode({ valu: 1 }, 'fields[1]').unknownKeys(['path', 'value'], {}, 'AddedFieldDefinition'))).toBe(
      'manifest error at fields[1].valu: unknown field "valu" for AddedFieldDefinition; expected one of: path, value',
    );
  });
});
