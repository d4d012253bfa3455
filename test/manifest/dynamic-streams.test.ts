import { ConfigError } from '../../connector/errors';
import { resolveDynamicStreams } from '../../connector/manifest/dynamic-streams';
import { loadManifest } from '../../connector/manifest/loader';
import { ManifestNode } from '../../connector/manifest/node';

/** A small manifest: static streams by name and one dynamic group per config list, named by the item. */
function manifest(staticNames: string[], pointers: string[][]) {
  const stream = (name: string) => ({ type: 'DeclarativeStream', name, schema_loader: { type: 'InlineSchemaLoader', schema: {} }, retriever: { type: 'SimpleRetriever' } });
  const { root } = loadManifest(
    JSON.stringify({
      version: '6.60.0',
      type: 'DeclarativeSource',
      check: { type: 'CheckStream', stream_names: [] },
      streams: staticNames.map(stream),
      dynamic_streams: pointers.map((pointer, i) => ({
        type: 'DynamicDeclarativeStream',
        name: `group${i}`,
        stream_template: stream('template'),
        components_resolver: {
          type: 'ConfigComponentsResolver',
          stream_config: { type: 'StreamConfig', configs_pointer: pointer },
          components_mapping: [{ type: 'ComponentMappingDefinition', field_path: ['name'], value: '{{ components_values }}' }],
        },
      })),
    }),
  );
  return new ManifestNode(root, '');
}

const names = (root: ReturnType<typeof manifest>, config: Record<string, unknown>) => resolveDynamicStreams(root, config).map((g) => g.streams.map((s) => s.str('name')));

describe('resolveDynamicStreams: stream names', () => {
  test.each<[string, string[], string[][], Record<string, unknown>, string[][]]>([
    ['distinct names resolve', ['organization'], [['entities']], { entities: ['account', 'contact'] }, [['account', 'contact']]],
    ['no list: no streams', ['organization'], [['entities']], {}, [[]]],
    ['two groups with distinct items', [], [['entities'], ['more']], { entities: ['a'], more: ['b'] }, [['a'], ['b']]],
  ])('%s', (_name, statics, pointers, config, expected) => {
    expect(names(manifest(statics, pointers), config)).toEqual(expected);
  });

  test.each<[string, string[], string[][], Record<string, unknown>, string]>([
    ['an item listed twice', ['organization'], [['entities']], { entities: ['account', 'contact', 'account'] }, 'config field "entities.2" repeats "account" (already entities.0): list each name in entities once'],
    ['an item twice in another case', [], [['entities']], { entities: ['Account', 'account'] }, 'config field "entities.1" repeats "account" (already entities.0): list each name in entities once'],
    [
      'an item named as a static stream',
      ['organization', 'picklist'],
      [['entities']],
      { entities: ['account', 'organization'] },
      'config field "entities.1" is "organization", which is the name of this source\'s organization stream: the organization stream already syncs that table\'s rows; remove "organization" from entities',
    ],
    [
      'a static stream name in another case',
      ['picklist'],
      [['entities']],
      { entities: ['PickList'] },
      'config field "entities.0" is "PickList", which is the name of this source\'s picklist stream: the picklist stream already syncs that table\'s rows; remove "PickList" from entities',
    ],
    ['the same item in two groups', [], [['entities'], ['more']], { entities: ['a'], more: ['a'] }, 'config field "more.0" repeats "a" (already entities.0): list each name in more once'],
    ['a single value (not a list) that clashes', ['organization'], [['nested', 'entity']], { nested: { entity: 'organization' } }, 'config field "nested.entity" is "organization", which is the name of this source\'s organization stream: the organization stream already syncs that table\'s rows; remove "organization" from nested.entity'],
    ['a 100 KB item listed twice', [], [['entities']], { entities: ['x'.repeat(100_000), 'x'.repeat(100_000)] }, `config field "entities.1" repeats "${'x'.repeat(60)}..." (100000 characters) (already entities.0): list each name in entities once`],
  ])('refuses %s', (_name, statics, pointers, config, message) => {
    expect(() => names(manifest(statics, pointers), config)).toThrow(new ConfigError(message));
  });
});
