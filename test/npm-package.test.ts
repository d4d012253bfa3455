/**
 * The npm package as a user gets it: `npm pack` in a copy of the sources (its prepack builds
 * dist/connector from scratch there, so the suite's own dist/ is never touched), the tarball
 * installed into an empty folder, then the installed bin run through npx.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; files: string[] };

/** npm without the outer `npm test`'s npm_* variables, which would leak its settings into the child. */
function npm(args: string[], cwd: string): string {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
  return execFileSync('npm', args, { cwd, env: { ...env, NO_UPDATE_NOTIFIER: '1' }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000 });
}

let work: string;
let files: string[];
let tarball: string;
let installed: string;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'source-dataverse-pack-'));
  const source = path.join(work, 'source');
  const skip = new Set(['node_modules', 'dist', '.git', '.ci']);
  fs.cpSync(ROOT, source, { recursive: true, filter: (from) => !skip.has(path.relative(ROOT, from).split(path.sep)[0]!) });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(source, 'node_modules'), 'dir');
  const [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', work], source)) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = path.join(work, packed!.filename);
  files = packed!.files.map((f) => f.path).sort();
  installed = path.join(work, 'install');
  fs.mkdirSync(installed);
  fs.writeFileSync(path.join(installed, 'package.json'), '{"name":"empty","private":true}\n');
  // Dependency tarballs come from the local cache; only the registry's package lists may be fetched.
  npm(['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], installed);
}, 300_000);

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

test('the tarball is named after the package and version', () => {
  expect(path.basename(tarball)).toBe(`${pkg.name}-${pkg.version}.tgz`);
});

test('the tarball holds no key, no test, no emulator and nothing outside package.json files', () => {
  expect(files.filter((f) => /\.key$|\.pem$|\.test\.|integration_tests|emulator|^test\/|^bench\//.test(f))).toEqual([]);
  const top = [...new Set(files.map((f) => (f.startsWith('dist/connector/') ? 'dist/connector/' : f.startsWith('schemas/') ? 'schemas/' : f.startsWith('bin/') ? 'bin/' : f)))].sort();
  expect(top).toEqual(['CHANGELOG.md', 'LICENSE', 'README.md', 'bin/', 'connector/manifest.yaml', 'dist/connector/', 'package.json', 'schemas/', 'spec.yaml']);
  expect(pkg.files.sort()).toEqual(['CHANGELOG.md', 'LICENSE', 'README.md', 'bin/', 'connector/manifest.yaml', 'dist/connector/', 'schemas/', 'spec.yaml']);
});

test('dist/connector is a fresh build of connector/ only: one .js per source, no source maps', () => {
  const sources = (fs.readdirSync(path.join(ROOT, 'connector'), { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'))
    .map((f) => `dist/connector/${f.split(path.sep).join('/').replace(/\.ts$/, '.js')}`)
    .sort();
  expect(files.filter((f) => f.startsWith('dist/'))).toEqual(sources);
  expect(files).toContain('dist/connector/main.js');
});

test('npx source-dataverse --version prints the package version', () => {
  expect(npm(['exec', '--offline', '--', 'source-dataverse', '--version'], installed)).toBe(`${pkg.version}\n`);
});

test('npx source-dataverse spec prints one SPEC message from the installed package', () => {
  const lines = npm(['exec', '--offline', '--', 'source-dataverse', 'spec'], installed).trim().split('\n');
  expect(lines).toHaveLength(1);
  const message = JSON.parse(lines[0]!) as { type: string; spec: { connectionSpecification: { required: string[] } } };
  expect(message.type).toBe('SPEC');
  expect(message.spec.connectionSpecification.required).toEqual(expect.arrayContaining(['org_url', 'tenant_id', 'client_id', 'client_secret']));
  expect(fs.realpathSync(path.join(installed, 'node_modules', pkg.name))).not.toContain(ROOT);
});
