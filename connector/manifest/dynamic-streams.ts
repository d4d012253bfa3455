/**
 * dynamic_streams with a ConfigComponentsResolver: one stream per item of a config list, each a
 * copy of `stream_template` with the `components_mapping` values written in. Done on plain
 * manifest data before the factory runs, as Airbyte does, so a resolved stream is an ordinary
 * DeclarativeStream.
 */
import { quote } from '../config/quote';
import { ConfigError } from '../errors';
import { COMPONENT_FIELDS } from './fields';
import { compileTemplate } from './interpolation';
import { propagateResolvedStream } from './propagation';
import { ManifestNode } from './node';

/** The streams one DynamicDeclarativeStream resolved to, under its name (for CheckStream). */
export interface ResolvedDynamicStreams {
  name: string;
  streams: ManifestNode[];
}

function valueAtPointer(config: Record<string, unknown>, pointer: string[]): unknown {
  let node: unknown = config;
  for (const key of pointer) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
  return node;
}

function valuesAt(config: Record<string, unknown>, pointer: string[]): unknown[] {
  const node = valueAtPointer(config, pointer);
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

/**
 * Stream names must be unique (case-insensitively: a destination's table names often are not
 * case-sensitive). A resolved stream whose name is already taken, by a stream of the manifest or
 * by an earlier config item, is the config's fault: it names the config item.
 */
class StreamNames {
  private readonly taken = new Map<string, { stream: string; item?: string }>();

  constructor(root: ManifestNode) {
    for (const stream of root.optList('streams') ?? []) {
      const name = stream.optStr('name');
      if (name !== undefined) this.taken.set(name.toLowerCase(), { stream: name });
    }
  }

  claim(name: string, item: string, field: string): void {
    const holder = this.taken.get(name.toLowerCase());
    if (holder?.item !== undefined) {
      throw new ConfigError(`config field "${item}" repeats ${quote(name)} (already ${holder.item}): list each name in ${field} once`);
    }
    if (holder) {
      throw new ConfigError(
        `config field "${item}" is ${quote(name)}, which is the name of this source's ${holder.stream} stream: the ${holder.stream} stream already syncs that table's rows; remove ${quote(name)} from ${field}`,
      );
    }
    this.taken.set(name.toLowerCase(), { stream: name, item });
  }
}

/** Refuses a key the component does not read, with its YAML path, as the factory does for the components it builds. */
function checkFields(node: ManifestNode, type: string): void {
  const fields = COMPONENT_FIELDS[type];
  node.unknownKeys(fields.supported, fields.unsupported, type);
}

/** Resolves every DynamicDeclarativeStream of the manifest against the config. */
export function resolveDynamicStreams(root: ManifestNode, config: Record<string, unknown>): ResolvedDynamicStreams[] {
  const names = new StreamNames(root);
  return (root.optList('dynamic_streams') ?? []).map((dynamic, d) => {
    dynamic.expectType('DynamicDeclarativeStream');
    checkFields(dynamic, 'DynamicDeclarativeStream');
    const resolver = dynamic.child('components_resolver');
    resolver.expectType('ConfigComponentsResolver');
    checkFields(resolver, 'ConfigComponentsResolver');
    const streamConfigs = resolver.has('stream_config') && Array.isArray((resolver.raw as Record<string, unknown>).stream_config) ? resolver.list('stream_config') : [resolver.child('stream_config')];
    for (const streamConfig of streamConfigs) checkFields(streamConfig, 'StreamConfig');
    const mappings = resolver.list('components_mapping').map((m) => {
      m.expectType('ComponentMappingDefinition');
      checkFields(m, 'ComponentMappingDefinition');
      return { node: m, path: m.strList('field_path'), value: compileTemplate(m.str('value'), `${m.path}.value`), create: m.bool('create_or_update', false) };
    });
    const template = dynamic.child('stream_template');
    const streams: ManifestNode[] = [];
    for (const streamConfig of streamConfigs) {
      const pointer = streamConfig.strList('configs_pointer');
      const listed = valuesAt(config, pointer);
      for (const [i, componentsValues] of listed.entries()) {
        const stream = structuredClone(template.raw) as Record<string, unknown>;
        for (const mapping of mappings) {
          const value = mapping.value.render({ config, components_values: componentsValues });
          setAt(stream, mapping.path, value, mapping.create, mapping.node);
        }
        if (typeof stream.name === 'string') {
          const field = pointer.join('.');
          names.claim(stream.name, Array.isArray(valueAtPointer(config, pointer)) ? `${field}.${i}` : field, field);
        }
        const path = `dynamic_streams[${d}].stream_template(${String(stream.name ?? componentsValues)})`;
        propagateResolvedStream(stream, path);
        streams.push(new ManifestNode(stream, path));
      }
    }
    return { name: dynamic.optStr('name') ?? '', streams };
  });
}
