/** docs/: the generated sections are what `npm run docs` makes from the sources; the prose is our own. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { DATAVERSE_ERRORS, ENTRA_ERRORS } from '../connector/dataverse/error-messages';
import { columnOf, leftOut } from '../connector/dataverse/entity-schema';
import { loadManifest } from '../connector/manifest/loader';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { renderDocs, releases } = require('../scripts/generate-docs.js') as {
  renderDocs(sources: Record<string, unknown>): Record<string, string>;
  releases(root: string): Array<{ version: string; date: string; summary: string }>;
};

const ROOT = path.resolve(__dirname, '..');
const SOURCES = { root: ROOT, ENTRA_ERRORS, DATAVERSE_ERRORS, loadManifest, columnOf, leftOut };
const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), 'utf8');

test('the committed docs are what the generator makes from the current sources', () => {
  const docs = renderDocs(SOURCES);
  expect(Object.keys(docs)).toEqual(['docs/setup.md', 'docs/reference.md', 'docs/integrations-sources-dataverse.md', 'README.md']);
  for (const [file, text] of Object.entries(docs)) expect(read(file)).toBe(text);
});

test('`generate-docs.js --check` passes on the committed docs (the built copy agrees)', () => {
  const result = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'generate-docs.js'), '--check'], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
});

test('setup errors render each table entry with placeholders, problem and fix apart', () => {
  expect(read('docs/setup.md')).toContain(
    '| Entra ID | `AADSTS7000222` | The client secret of app `<client_id>` has expired | Create a new client secret (setup step 2) and update client_secret. | 2 |\n',
  );
  expect(read('docs/setup.md')).toContain(
    '| Dataverse | `0x80072560` | App `<client_id>` has no application user in the Dataverse environment `<org_url>` | Create an application user for it in the Power Platform admin center and assign it the System Reader role (setup step 3). | 3 |\n',
  );
  const rows = read('docs/setup.md').split('\n').filter((line) => /^\| (Entra ID|Dataverse) \|/.test(line));
  expect(rows).toHaveLength(Object.keys(ENTRA_ERRORS).length + Object.keys(DATAVERSE_ERRORS).length);
});

test('a new error-table entry changes the generated setup doc', () => {
  const entra = { ...ENTRA_ERRORS, 50057: (c: { clientId: string }) => `App ${c.clientId} is disabled: enable it (setup step 1).` };
  const setup = renderDocs({ ...SOURCES, ENTRA_ERRORS: entra })['docs/setup.md']!;
  expect(setup).not.toBe(read('docs/setup.md'));
  expect(setup).toContain('| Entra ID | `AADSTS50057` | App `<client_id>` is disabled | Enable it (setup step 1). | 1 |\n');
});

test('a message without "problem: fix" form is refused', () => {
  const entra = { 1: () => 'Something failed.' };
  expect(() => renderDocs({ ...SOURCES, ENTRA_ERRORS: entra })).toThrow(
    'the Entra ID message for AADSTS1 has no ": " between the problem and its fix: Something failed.',
  );
});

test('a doc that lost a generated section is refused, not silently left stale', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'docs-'));
  for (const file of ['spec.yaml', 'connector/manifest.yaml', 'docs/setup.md', 'schemas/organization.json']) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, file), path.join(root, file));
  }
  fs.writeFileSync(path.join(root, 'docs/reference.md'), '# reference\n<!-- generated:config-table -->\n<!-- /generated -->\n');
  expect(() => renderDocs({ ...SOURCES, root })).toThrow(
    'docs/reference.md has generated sections [config-table], expected [config-table, streams-table, stream-fields] (each closed by <!-- /generated -->)',
  );
});

describe('config tables: README.md, docs/reference.md and the Airbyte page are generated from spec.yaml', () => {
  const CONFIG_DOCS = ['README.md', 'docs/reference.md', 'docs/integrations-sources-dataverse.md'];
  const configSection = (text: string): string => /<!-- generated:config-table -->\n([\s\S]*?)<!-- \/generated -->/.exec(text)![1]!;

  test('each holds one table with a row per spec field, in form order, from title, type and range, required, default and description', () => {
    const spec = YAML.parse(read('spec.yaml')).connection_specification as { properties: Record<string, { order: number }> };
    const names = Object.entries(spec.properties).sort(([, a], [, b]) => a.order - b.order).map(([name]) => `\`${name}\``);
    for (const file of CONFIG_DOCS) {
      const lines = configSection(read(file)).trimEnd().split('\n');
      expect([file, lines[0]]).toEqual([file, '| field | title | type | required | default | secret | description |']);
      expect([file, lines.slice(2).map((line) => line.split(' | ')[0]!.slice(2))]).toEqual([file, names]);
      expect(lines).toContain('| `page_size` | Page Size | integer, 1 to 5000 | no | `5000` | no | Rows per page requested from Dataverse (Prefer odata.maxpagesize), 1 to 5000. |');
      expect(lines).toContain('| `client_secret` | Client Secret | string | yes |  | yes | The Value (not the Secret ID) of the client secret created in setup step 2. |');
    }
  });

  test('a field added to spec.yaml reaches all three tables, and the hand-written text around them stays', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'docs-'));
    for (const entry of ['spec.yaml', 'connector/manifest.yaml', 'schemas', 'docs', 'README.md', 'CHANGELOG.md']) {
      fs.cpSync(path.join(ROOT, entry), path.join(root, entry), { recursive: true });
    }
    const spec = YAML.parse(read('spec.yaml'));
    spec.connection_specification.properties.sample_limit = {
      title: 'Sample Limit',
      description: 'At most this many | things.',
      type: 'integer',
      minimum: 2,
      maximum: 64,
      default: 8,
      order: 99,
    };
    fs.writeFileSync(path.join(root, 'spec.yaml'), YAML.stringify(spec));
    const docs = renderDocs({ ...SOURCES, root });
    for (const file of CONFIG_DOCS) {
      const before = read(file);
      const after = docs[file]!;
      expect([file, configSection(after).trimEnd().split('\n').pop()]).toEqual([file, '| `sample_limit` | Sample Limit | integer, 2 to 64 | no | `8` | no | At most this many \\| things. |']);
      expect([file, after.replace(configSection(after), '')]).toEqual([file, before.replace(configSection(before), '')]);
    }
  });

  test('a README that lost its config-table markers is refused', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'docs-'));
    for (const entry of ['spec.yaml', 'connector/manifest.yaml', 'schemas', 'docs', 'CHANGELOG.md']) {
      fs.cpSync(path.join(ROOT, entry), path.join(root, entry), { recursive: true });
    }
    fs.writeFileSync(path.join(root, 'README.md'), read('README.md').replace('<!-- generated:config-table -->\n', ''));
    expect(() => renderDocs({ ...SOURCES, root })).toThrow('README.md has generated sections [], expected [config-table] (each closed by <!-- /generated -->)');
  });
});

test('docs/setup.md restates the customer setup guide rather than copying it (no 8-word run in common)', () => {
  const guide = path.resolve(ROOT, '..', 'shared', 'seed', 'setup-guide.txt');
  if (!fs.existsSync(guide)) return;
  const words = (text: string): string[] => text.toLowerCase().replace(/[^a-z0-9()' ]+/g, ' ').split(/\s+/).filter(Boolean);
  const runs = (list: string[]): Set<string> => new Set(list.slice(0, Math.max(0, list.length - 7)).map((_, i) => list.slice(i, i + 8).join(' ')));
  const guideRuns = runs(words(fs.readFileSync(guide, 'utf8')));
  const copied = [...runs(words(read('docs/setup.md')))].filter((run) => guideRuns.has(run));
  expect(copied).toEqual([]);
});

describe('docs/integrations-sources-dataverse.md (the Airbyte docs page)', () => {
  const page = read('docs/integrations-sources-dataverse.md');
  const pkg = JSON.parse(read('package.json')) as { version: string };

  test('the changelog table lists every CHANGELOG.md release, newest first, the package version on top', () => {
    const list = releases(ROOT);
    expect(list.map((r) => r.version)).toEqual(['0.2.0', '0.1.0']);
    expect(list[0]!.version).toBe(pkg.version);
    expect(page).toContain(`| Version | Date | Subject |\n| --- | --- | --- |\n| 0.2.0 | ${list[0]!.date} | ${list[0]!.summary} |\n| 0.1.0 | ${list[1]!.date} | ${list[1]!.summary} |\n<!-- /generated -->`);
  });

  test('the type mapping is the connector mapping: a polymorphic lookup gets its table field, DateOnly a date', () => {
    expect(page).toContain("| Lookup (several tables in `Targets`), Customer, Owner | `_<name>_value` | string or null | `_<name>_value__formatted` with `formatted_values`; `_<name>_value__lookuplogicalname`: the referenced row's table |");
    expect(page).toContain('| DateTime (behavior DateOnly) | `<name>` | string (date) or null |  |');
    expect(page).toContain('| DateTime (behavior UserLocal), DateTime (behavior TimeZoneIndependent) | `<name>` | string (date-time, timestamp_with_timezone) or null |  |');
    expect(page).toContain('| Image, File | left out |  | Image and file columns need separate downloads. |');
  });

  test('has the sections of an Airbyte source page', () => {
    const headings = page.split('\n').filter((line) => line.startsWith('## '));
    expect(headings).toEqual([
      '## Prerequisites',
      '## Setup guide',
      '## Supported sync modes',
      '## Supported streams',
      '## Data type mapping',
      '## Configuration',
      '## Performance considerations',
      '## Changelog',
    ]);
  });
});
