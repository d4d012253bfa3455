/**
 * Turns manifest YAML text into plain, fully resolved JSON data, the way Airbyte's
 * declarative CDK prepares a manifest before building components:
 *
 * 1. parse the YAML (syntax errors name line and column);
 * 2. resolve references (`$ref: "#/definitions/x"` objects and `"#/definitions/x"` strings),
 *    like Airbyte's ManifestReferenceResolver;
 * 3. insert default component types and propagate `$parameters` (propagation.ts), like Airbyte's
 *    ManifestComponentTransformer.
 *
 * Validation of component fields is left to the factories (see `node.ts`).
 */

import { LineCounter, parseDocument, type Document } from 'yaml';
import { ManifestError, describeValue, formatPath, type PathSegment, type SourcePosition } from './errors';
import { cloneJson, hasOwn, isMapping, type Mapping } from './json';
import { insertTypes, pushParameters } from './propagation';

/** The loaded manifest: plain JSON data with references resolved and (by default) parameters propagated. */
export interface ResolvedManifest {
  readonly root: Record<string, unknown>;
}

/** Options for {@link loadManifest}. */
export interface LoadManifestOptions {
  /** Name of the manifest file, used in YAML syntax error paths (default `manifest.yaml`). */
  readonly sourceName?: string;
  /**
   * Push `$parameters` down into component fields (step 3); default true. False leaves each
   * `$parameters` where it is written and only inserts default types (as Airbyte does before it
   * validates), for exporting the manifest: propagation copies parameters into component fields
   * that Airbyte's schema may not allow there.
   */
  readonly propagate?: boolean;
}

const REF_KEY = '$ref';
const REF_PREFIX = '#/';
const ROOT_TYPE = 'DeclarativeSource';

type Locate = (segments: readonly PathSegment[]) => SourcePosition | undefined;

/**
 * Parses and resolves a manifest.
 *
 * @param yamlText the manifest YAML
 * @param options `sourceName` names the file in syntax errors; `propagate: false` keeps
 *   `$parameters` where written
 * @returns the resolved manifest; `definitions` is kept but is not parameter-propagated,
 *   consumers read `streams`, `check`, `spec`, `dynamic_streams`
 * @throws ManifestError for YAML syntax errors, bad or circular references and
 *   malformed `$parameters`
 */
export function loadManifest(yamlText: string, options: LoadManifestOptions = {}): ResolvedManifest {
  const { data, locate } = parseYaml(yamlText, options.sourceName ?? 'manifest.yaml');
  if (!isMapping(data)) {
    throw new ManifestError('', `expected the manifest to be a mapping, found ${describeValue(data)}`);
  }
  const resolved = new ReferenceResolver(data, locate).resolveDocument();
  const root = resolved as Mapping;
  if (root.type === undefined) root.type = ROOT_TYPE;
  if (options.propagate === false) insertTypes(root, '', []);
  else pushParameters(root, '', {}, [], false);
  return { root };
}

function parseYaml(text: string, sourceName: string): { data: unknown; locate: Locate } {
  const lineCounter = new LineCounter();
  // merge: PyYAML (which Airbyte uses) honours `<<` merge keys; prettyErrors off so we word the message.
  const doc = parseDocument(text, { lineCounter, merge: true, uniqueKeys: true, prettyErrors: false });
  const first = doc.errors[0];
  if (first) {
    const { line, col } = lineCounter.linePos(first.pos[0]);
    throw new ManifestError(
      `${sourceName}:${line}:${col}`,
      `invalid YAML at line ${line}, column ${col}: ${first.message}`,
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new ManifestError(sourceName, `invalid YAML: ${(error as Error).message}`);
  }
  return { data, locate: (segments) => locateNode(doc, lineCounter, segments) };
}

function locateNode(doc: Document, lineCounter: LineCounter, segments: readonly PathSegment[]): SourcePosition | undefined {
  const node = doc.getIn(segments, true) as { range?: [number, number, number] } | undefined;
  if (!node || typeof node !== 'object' || !node.range) return undefined;
  const { line, col } = lineCounter.linePos(node.range[0]);
  return { line, column: col };
}

/**
 * Resolves `$ref` objects and `"#/..."` strings. Each reference target is resolved once
 * (cached) and handed out as a fresh deep copy, so later stages may mutate the tree.
 */
class ReferenceResolver {
  private readonly resolvedTargets = new Map<string, unknown>();

  constructor(
    private readonly document: Mapping,
    private readonly locate: Locate,
  ) {}

  resolveDocument(): unknown {
    return this.evaluate(this.document, [], []);
  }

  private evaluate(node: unknown, path: PathSegment[], refStack: string[]): unknown {
    if (Array.isArray(node)) return node.map((item, i) => this.evaluate(item, [...path, i], refStack));
    if (isMapping(node)) return this.evaluateMapping(node, path, refStack);
    if (isRefString(node)) return this.follow(node, path, refStack);
    return node;
  }

  private evaluateMapping(node: Mapping, path: PathSegment[], refStack: string[]): unknown {
    const siblings: Mapping = {};
    for (const [key, value] of Object.entries(node)) {
      if (key !== REF_KEY) siblings[key] = this.evaluate(value, [...path, key], refStack);
    }
    if (!(REF_KEY in node)) return siblings;
    const ref = node[REF_KEY];
    if (!isRefString(ref)) {
      throw this.error(
        [...path, REF_KEY],
        `expected $ref to be a reference string like "#/definitions/name", found ${describeValue(ref)}`,
      );
    }
    const target = this.follow(ref, path, refStack);
    if (isMapping(target)) {
      // Airbyte: the referenced mapping updated with the sibling keys (shallow; siblings win).
      return { ...target, ...siblings };
    }
    if (Object.keys(siblings).length > 0) {
      // Airbyte silently drops the siblings here; that hides mistakes, so we refuse.
      throw this.error(
        path,
        `$ref "${ref}" points to ${describeValue(target)}, which cannot take the sibling keys ` +
          `${Object.keys(siblings).map((k) => JSON.stringify(k)).join(', ')}; point it to a mapping or remove them`,
      );
    }
    return target;
  }

  private follow(ref: string, usedAt: PathSegment[], refStack: string[]): unknown {
    const cycleStart = refStack.indexOf(ref);
    if (cycleStart >= 0) {
      const cycle = [...refStack.slice(cycleStart), ref].join(' -> ');
      throw this.error(usedAt, `circular reference: ${cycle}`);
    }
    let resolved = this.resolvedTargets.get(ref);
    if (resolved === undefined) {
      const target = this.lookup(ref, usedAt);
      refStack.push(ref);
      resolved = this.evaluate(target.value, target.segments, refStack);
      refStack.pop();
      this.resolvedTargets.set(ref, resolved);
    }
    return cloneJson(resolved);
  }

  /**
   * Reads a reference target. Like Airbyte, the remaining pointer is first tried as one
   * key (so `#/a/b` finds a key literally named `a/b`), then split at the first `/`.
   * JSON Pointer escapes (`~0`, `~1`) are not decoded, as in Airbyte.
   */
  private lookup(ref: string, usedAt: PathSegment[]): { value: unknown; segments: PathSegment[] } {
    let rest = ref.slice(REF_PREFIX.length);
    let node: unknown = this.document;
    const segments: PathSegment[] = [];
    while (rest !== '') {
      if (isMapping(node) && hasOwn(node, rest)) {
        segments.push(rest);
        node = node[rest];
        break;
      }
      const slash = rest.indexOf('/');
      const head = slash < 0 ? rest : rest.slice(0, slash);
      rest = slash < 0 ? '' : rest.slice(slash + 1);
      if (Array.isArray(node) && /^\d+$/.test(head) && Number(head) < node.length) {
        segments.push(Number(head));
        node = node[Number(head)];
      } else if (isMapping(node) && hasOwn(node, head)) {
        segments.push(head);
        node = node[head];
      } else {
        const where = segments.length === 0 ? 'the manifest root' : formatPath(segments);
        const what = Array.isArray(node) ? `no item ${JSON.stringify(head)}` : isMapping(node) ? `no key ${JSON.stringify(head)}` : `${describeValue(node)}, not a mapping`;
        throw this.error(usedAt, `reference "${ref}" cannot be resolved: ${where} has ${what}`);
      }
    }
    return { value: node, segments };
  }

  private error(path: PathSegment[], detail: string): ManifestError {
    return new ManifestError(formatPath(path), detail, this.locate(path));
  }
}

function isRefString(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(REF_PREFIX);
}
