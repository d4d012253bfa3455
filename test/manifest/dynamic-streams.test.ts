import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
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

describe('resolveDynamicStreams: the dynamic_streams definitions are checked like every other component', () => {
  const text = fs.readFileSync(path.join(__dirname, '..', '..', 'connector', 'manifest.yaml'), 'utf8');
  const resolve = (edit: (dynamic: any) => void) => {
    const doc = YAML.parse(text);
    edit(doc.dynamic_streams[0]);
    return resolveDynamicStreams(new ManifestNode(loadManifest(YAML.stringify(doc)).root, ''), { entities: ['account'] });
  };

  test('the shipped manifest passes and resolves one stream per item', () => {
    expect(resolve(() => undefined).map((g) => [g.name, g.streams.map((s) => s.str('name'))])).toEqual([['entity_streams', ['account']]]);
  });

  test.each<[string, (dynamic: any) => void, string]>([
    [
      'a misspelt key of the DynamicDeclarativeStream',
      (d) => (d.stream_templat = {}),
      'manifest error at dynamic_streams[0].stream_templat: unknown field "stream_templat" for DynamicDeclarativeStream; expected one of: components_resolver, name, stream_template',
    ],
    [
      'a misspelt key of the resolver',
      (d) => (d.components_resolver.component_mapping = []),
      'manifest error at dynamic_streams[0].components_resolver.component_mapping: unknown field "component_mapping" for ConfigComponentsResolver; expected one of: components_mapping, stream_config',
    ],
    [
      'a misspelt key of the stream config',
      (d) => (d.components_resolver.stream_config.config_pointer = ['entities']),
      'manifest error at dynamic_streams[0].components_resolver.stream_config.config_pointer: unknown field "config_pointer" for StreamConfig; expected one of: configs_pointer',
    ],
    [
      'a misspelt key of a component mapping',
      (d) => (d.components_resolver.components_mapping[1].create_or_updates = true),
      'manifest error at dynamic_streams[0].components_resolver.components_mapping[1].create_or_updates: unknown field "create_or_updates" for ComponentMappingDefinition; expected one of: create_or_update, field_path, value',
    ],
    [
      'use_parent_parameters, which this engine does not carry out',
      (d) => (d.use_parent_parameters = false),
      'manifest error at dynamic_streams[0].use_parent_parameters: use_parent_parameters is not supported by this engine; DynamicDeclarativeStream reads only: name, stream_template, components_resolver',
    ],
    [
      'default_values on the stream config',
      (d) => (d.components_resolver.stream_config.default_values = ['account']),
      'manifest error at dynamic_streams[0].components_resolver.stream_config.default_values: default_values is not supported by this engine; StreamConfig reads only: configs_pointer',
    ],
    [
      'a condition on a component mapping',
      (d) => (d.components_resolver.components_mapping[0].condition = "{{ components_values != 'x' }}"),
      'manifest error at dynamic_streams[0].components_resolver.components_mapping[0].condition: condition is not supported by this engine; ComponentMappingDefinition reads only: field_path, value, create_or_update',
    ],
  ])('refuses %s, naming the key and its YAML path', (_name, edit, message) => {
    let thrown: unknown;
    try {
      resolve(edit);
    } catch (err) {
      thrown = err;
    }
    expect((thrown as Error | undefined)?.message).toBe(message);
  });

  test('the check does not depend on the config: a typo is refused when the config lists no item', () => {
    const doc = YAML.parse(text);
    doc.dynamic_streams[0].components_resolver.stream_config.config_pointer = ['entities'];
    const root = new ManifestNode(loadManifest(YAML.stringify(doc)).root, '');
    expect(() => resolveDynamicStreams(root, {})).toThrow('unknown field "config_pointer" for StreamConfig');
  });
});
