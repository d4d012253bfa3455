/**
 * dynamic_streams with a ConfigComponentsResolver: one stream per item of a config list, each a
 * copy of `stream_template` with the `components_mapping` values written in. Done on plain
 * manifest data before the factory runs, as Airbyte does, so a resolved stream is an ordinary
 * DeclarativeStream.
 */
import { compileTemplate } from './interpolation';
import { propagateResolvedStream } from './loader';
import { ManifestNode } from './node';

/** The streams one DynamicDeclarativeStream resolved to, under its name (for CheckStream). */
export interface ResolvedDynamicStreams {
  name: string;
  streams: ManifestNode[];
}

function valuesAt(config: Record<string, unknown>, pointer: string[]): unknown[] {
  let node: unknown = config;
  for (const key of pointer) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
  if (node === undefined || node === null) return [];
  return Array.isArray(node) ? node : [node];
}

function setAt(target: Record<string, unknown>, path: string[], value: unknown, create: boolean, node: ManifestNode): void {
  let current = target;
  for (const key of path.slice(0, -1)) {
    if (current[key] === undefined && create) current[key] = {};
    const next = current[key];
    if (next === null || typeof next !== 'object') node.fail(`field_path ${path.join('.')} does not exist in the stream template (set create_or_update: true to add it)`);
    current = next as Record<string, unknown>;
  }
  const last = path[path.length - 1];
  if (!(last in current) && !create) node.fail(`field_path ${path.join('.')} does not exist in the stream template (set create_or_update: true to add it)`);
  current[last] = value;
}

/** Resolves every DynamicDeclarativeStream of the manifest against the config. */
export function resolveDynamicStreams(root: ManifestNode, config: Record<string, unknown>): ResolvedDynamicStreams[] {
  return (root.optList('dynamic_streams') ?? []).map((dynamic, d) => {
    dynamic.expectType('DynamicDeclarativeStream');
    const resolver = dynamic.child('components_resolver');
    resolver.expectType('ConfigComponentsResolver');
    const streamConfigs = resolver.has('stream_config') && Array.isArray((resolver.raw as Record<string, unknown>).stream_config) ? resolver.list('stream_config') : [resolver.child('stream_config')];
    const mappings = resolver.list('components_mapping').map((m) => {
      m.expectType('ComponentMappingDefinition');
      return { node: m, path: m.strList('field_path'), value: compileTemplate(m.str('value'), `${m.path}.value`), create: m.bool('create_or_update', false) };
    });
    const template = dynamic.child('stream_template');
    const streams: ManifestNode[] = [];
    for (const streamConfig of streamConfigs) {
      for (const componentsValues of valuesAt(config, streamConfig.strList('configs_pointer'))) {
        const stream = structuredClone(template.raw) as Record<string, unknown>;
        for (const mapping of mappings) {
          const value = mapping.value.render({ config, components_values: componentsValues });
          setAt(stream, mapping.path, value, mapping.create, mapping.node);
        }
        const path = `dynamic_streams[${d}].stream_template(${String(stream.name ?? componentsValues)})`;
        propagateResolvedStream(stream, path);
        streams.push(new ManifestNode(stream, path));
      }
    }
    return { name: dynamic.optStr('name') ?? '', streams };
  });
}
