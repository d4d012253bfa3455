/**
 * The layering and size rules of connector/, read from the source with the TypeScript compiler
 * API: a rule that is only written down drifts, one that is tested holds. Each test lists the
 * offenders, so a failure says which function, file or import to fix.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..');
const CONNECTOR = path.join(ROOT, 'connector');
const MAX_FUNCTION_LINES = 60;
const MAX_FILE_LINES = 400;
/** Layers that must not know Dataverse: the service-specific parts reach them by injection. */
const GENERIC_LAYERS = ['http', 'streams', 'protocol', 'manifest'];

interface SourceModule {
  /** Path relative to connector/, with `/` separators (`http/requester.ts`). */
  name: string;
  file: ts.SourceFile;
  /** connector/ modules it imports, type-only imports and re-exports included. */
  imports: string[];
}

function connectorFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : connectorFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

function moduleName(file: string): string {
  return path.relative(CONNECTOR, file).split(path.sep).join('/');
}

/** The connector/ module a relative specifier names (`./x` -> `x.ts` or `x/index.ts`), or undefined for packages. */
function resolveImport(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts'), base]) {
    if (candidate.endsWith('.ts') && fs.existsSync(candidate)) return moduleName(candidate);
  }
  return undefined;
}

function importsOf(file: ts.SourceFile): string[] {
  const found = new Set<string>();
  const visit = (node: ts.Node): void => {
    const specifier =
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)
        ? node.moduleSpecifier.text
        : ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)
          ? node.argument.literal.text
          : ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && ts.isStringLiteral(node.arguments[0] ?? node)
            ? (node.arguments[0] as ts.StringLiteral).text
            : undefined;
    const resolved = specifier === undefined ? undefined : resolveImport(file.fileName, specifier);
    if (resolved !== undefined) found.add(resolved);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return [...found].sort();
}

const modules: SourceModule[] = connectorFiles(CONNECTOR)
  .sort()
  .map((full) => {
    const file = ts.createSourceFile(full, fs.readFileSync(full, 'utf8'), ts.ScriptTarget.ES2022, true);
    return { name: moduleName(full), file, imports: importsOf(file) };
  });

function lineOf(file: ts.SourceFile, position: number): number {
  return file.getLineAndCharacterOfPosition(position).line + 1;
}

/** `file.ts:line name (N lines)` for every function-like node whose body is longer than the limit. */
function longFunctions(module: SourceModule): string[] {
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      // From the signature to the closing brace (the TSDoc above is not counted).
      const lines = lineOf(module.file, node.getEnd()) - lineOf(module.file, node.getStart(module.file)) + 1;
      if (lines > MAX_FUNCTION_LINES) {
        const name = node.name && ts.isIdentifier(node.name) ? node.name.text : '(anonymous)';
        out.push(`${module.name}:${lineOf(module.file, node.getStart(module.file))} ${name} (${lines} lines)`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(module.file);
  return out;
}

/** Every import cycle, each written once from its smallest module: `a.ts -> b.ts -> a.ts`. */
function importCycles(): string[] {
  const graph = new Map(modules.map((m) => [m.name, m.imports]));
  const cycles = new Set<string>();
  const walk = (start: string, at: string, trail: string[]): void => {
    for (const next of graph.get(at) ?? []) {
      if (next === start) {
        const smallest = trail.reduce((min, m, i) => (m < trail[min] ? i : min), 0);
        const rotated = [...trail.slice(smallest), ...trail.slice(0, smallest)];
        cycles.add([...rotated, rotated[0]].join(' -> '));
      } else if (next > start && !trail.includes(next)) {
        walk(start, next, [...trail, next]);
      }
    }
  };
  for (const name of graph.keys()) walk(name, name, [name]);
  return [...cycles].sort();
}

describe('connector/ structure', () => {
  it('reads the modules it checks', () => {
    const names = modules.map((m) => m.name);
    expect(names).toEqual(expect.arrayContaining(['http/requester.ts', 'manifest/factory.ts', 'streams/retriever.ts', 'protocol/writer.ts', 'dataverse/components.ts']));
    expect(names.some((n) => n.startsWith('generated/'))).toBe(false);
  });

  it(`has no function over ${MAX_FUNCTION_LINES} lines`, () => {
    expect(modules.flatMap(longFunctions)).toEqual([]);
  });

  it(`has no file over ${MAX_FILE_LINES} lines`, () => {
    const long = modules.map((m) => ({ name: m.name, lines: m.file.getLineAndCharacterOfPosition(m.file.getEnd()).line })).filter((m) => m.lines > MAX_FILE_LINES);
    expect(long.map((m) => `${m.name} (${m.lines} lines)`)).toEqual([]);
  });

  it.each(GENERIC_LAYERS)('%s/ imports nothing from dataverse/', (layer) => {
    const offenders = modules
      .filter((m) => m.name.startsWith(`${layer}/`))
      .flatMap((m) => m.imports.filter((i) => i.startsWith('dataverse/')).map((i) => `${m.name} imports ${i}`));
    expect(offenders).toEqual([]);
  });

  it('protocol/ names no OData annotation', () => {
    const offenders = modules.filter((m) => m.name.startsWith('protocol/') && /@odata\./.test(m.file.text)).map((m) => m.name);
    expect(offenders).toEqual([]);
  });

  it('keeps the custom-component table in dataverse/, out of the factory\'s way', () => {
    const imports = (name: string) => modules.find((m) => m.name === name)?.imports ?? [];
    // The table once lived in manifest/registry.ts, which factory.ts and it imported both ways.
    expect(modules.map((m) => m.name)).not.toContain('manifest/registry.ts');
    expect(imports('dataverse/components.ts')).toContain('manifest/extensions.ts');
    expect(imports('dataverse/components.ts')).not.toContain('manifest/factory.ts');
    expect(imports('manifest/factory.ts').filter((i) => !i.startsWith('manifest/') && !i.startsWith('http/') && !i.startsWith('streams/'))).toEqual(['config/config.ts']);
  });

  it('has no import cycle among its modules, type imports included', () => {
    expect(importCycles()).toEqual([]);
  });
});

describe('tests', () => {
  /** The static streams joined as a literal list, in discover order, the way a hard-coded copy would write them. */
  const literal = /['"]organization['"],\s*['"]picklist['"],\s*['"]entity_metadata['"],\s*['"]attribute_metadata['"]/;

  function testFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === 'certs' ? [] : testFiles(full);
      return entry.name.endsWith('.ts') ? [full] : [];
    });
  }

  it('take the static stream list from integration_tests/helpers/streams.ts instead of repeating it', () => {
    const files = [...testFiles(path.join(ROOT, 'test')), ...testFiles(path.join(ROOT, 'integration_tests'))];
    const offenders = files
      .filter((f) => !f.endsWith(path.join('helpers', 'streams.ts')) && literal.test(fs.readFileSync(f, 'utf8')))
      .map((f) => path.relative(ROOT, f));
    expect(offenders).toEqual([]);
  });
});
