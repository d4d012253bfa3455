/**
 * The packaging points of Airbyte's acceptance tests, checked without Docker (no engine on these
 * machines): the Dockerfile's labels, entrypoint and user against metadata.yaml and package.json.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';

const ROOT = path.resolve(__dirname, '..');
const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), 'utf8');

interface Instruction {
  keyword: string;
  args: string;
}

/** Dockerfile -> stages of instructions (continuation lines joined, comments dropped). */
function parseDockerfile(text: string): Instruction[][] {
  const logical = text
    .replace(/\s*\\\r?\n\s*/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages: Instruction[][] = [];
  for (const line of logical) {
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args: args.trim() };
    if (instruction.keyword === 'FROM') stages.push([]);
    const stage = stages[stages.length - 1];
    if (!stage) throw new Error(`instruction before FROM: ${line}`);
    stage.push(instruction);
  }
  return stages;
}

/** `KEY=value KEY2="value 2"` or the legacy `KEY value` form of LABEL and ENV. */
function keyValues(args: string): Record<string, string> {
  const pairs = [...args.matchAll(/([\w.-]+)=("(?:[^"\\]|\\.)*"|\S+)/g)];
  if (pairs.length === 0) {
    const [, key = '', value = ''] = /^(\S+)\s+(.*)$/.exec(args) ?? [];
    return { [key]: value };
  }
  return Object.fromEntries(pairs.map(([, key, value]) => [key!, value!.startsWith('"') ? (JSON.parse(value!) as string) : value!]));
}

function collect(stage: Instruction[], keyword: 'LABEL' | 'ENV'): Record<string, string> {
  return Object.assign({}, ...stage.filter((i) => i.keyword === keyword).map((i) => keyValues(i.args)));
}

/** ENTRYPOINT as the command line it runs: exec form joined with spaces, shell form as written. */
function entrypointCommand(stage: Instruction[]): string | undefined {
  const args = stage.filter((i) => i.keyword === 'ENTRYPOINT').pop()?.args;
  if (args === undefined) return undefined;
  return args.startsWith('[') ? (JSON.parse(args) as string[]).join(' ') : args;
}

function only(stage: Instruction[], keyword: string): string[] {
  return stage.filter((i) => i.keyword === keyword).map((i) => i.args);
}

describe('the Dockerfile parser', () => {
  const stages = parseDockerfile(
    [
      'FROM node:24-bookworm-slim AS build',
      '# a comment',
      'RUN a \\',
      '  && b',
      'FROM node:24-bookworm-slim',
      'ENV A=1 B="two words"',
      'ENV C 3',
      'LABEL x.y=z',
      'ENTRYPOINT node /app/bin/x',
    ].join('\n'),
  );

  test('splits stages and joins continuation lines', () => {
    expect(stages.map((s) => s.map((i) => `${i.keyword} ${i.args}`))).toEqual([
      ['FROM node:24-bookworm-slim AS build', 'RUN a && b'],
      ['FROM node:24-bookworm-slim', 'ENV A=1 B="two words"', 'ENV C 3', 'LABEL x.y=z', 'ENTRYPOINT node /app/bin/x'],
    ]);
  });

  test('reads both ENV forms, labels and a shell-form entrypoint', () => {
    expect(collect(stages[1]!, 'ENV')).toEqual({ A: '1', B: 'two words', C: '3' });
    expect(collect(stages[1]!, 'LABEL')).toEqual({ 'x.y': 'z' });
    expect(entrypointCommand(stages[1]!)).toBe('node /app/bin/x');
  });
});

describe('Dockerfile, metadata.yaml and package.json agree', () => {
  const stages = parseDockerfile(read('Dockerfile'));
  const final = stages[stages.length - 1]!;
  const labels = collect(final, 'LABEL');
  const env = collect(final, 'ENV');
  const metadata = (YAML.parse(read('metadata.yaml')) as { data: Record<string, unknown> }).data;
  const pkg = JSON.parse(read('package.json')) as { version: string; license: string };

  test('is multi-stage, every stage on a Node 24 slim image', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage[0]!.args.split(/\s+/)[0]).toMatch(/^node:24-[a-z0-9.]+-slim$/);
  });

  test('labels name the image as metadata.yaml does, at the package.json version', () => {
    expect(labels['io.airbyte.name']).toBe(metadata.dockerRepository);
    expect(labels['io.airbyte.version']).toBe(metadata.dockerImageTag);
    expect(metadata.dockerImageTag).toBe(pkg.version);
  });

  test('package-lock.json, the CHANGELOG head and the docs name the same version', () => {
    const lock = JSON.parse(read('package-lock.json')) as { version: string; packages: Record<string, { version?: string }> };
    expect([lock.version, lock.packages['']!.version]).toEqual([pkg.version, pkg.version]);
    expect(/^## \[(\d+\.\d+\.\d+)\]/m.exec(read('CHANGELOG.md'))?.[1]).toBe(pkg.version);
    expect([...read('docs/reference.md').matchAll(/exopen\/source-dataverse:([\w.-]+)/g)].map((m) => m[1])).toEqual([pkg.version, pkg.version]);
  });

  test('AIRBYTE_ENTRYPOINT is the ENTRYPOINT, which runs the bin/ shim copied into WORKDIR', () => {
    expect(env.AIRBYTE_ENTRYPOINT).toBe(entrypointCommand(final));
    const workdir = only(final, 'WORKDIR').pop();
    expect(env.AIRBYTE_ENTRYPOINT).toBe(`node ${workdir}/bin/source-dataverse`);
    expect(only(final, 'COPY')).toContain('bin ./bin');
  });

  test('the final stage runs as a non-root user', () => {
    const user = only(final, 'USER').pop();
    expect(user).toBeDefined();
    expect(user!.split(':')[0]).not.toMatch(/^(root|0)$/);
  });

  test('the final stage installs production dependencies only and copies what the connector reads at run time', () => {
    expect(only(final, 'RUN').some((run) => /\bnpm ci\b.*--omit=dev/.test(run))).toBe(true);
    expect(only(final, 'COPY')).toEqual([
      'package.json package-lock.json ./',
      '--from=build /build/dist/connector ./dist/connector',
      'spec.yaml ./',
      'schemas ./schemas',
      'connector/manifest.yaml ./connector/manifest.yaml',
      'bin ./bin',
    ]);
  });

  test('.dockerignore lets in every path the Dockerfile copies from the build context', () => {
    const allowed = read('.dockerignore')
      .split('\n')
      .filter((line) => line.startsWith('!'))
      .map((line) => line.slice(1).replace(/\/$/, ''));
    const sources = stages
      .flatMap((stage) => only(stage, 'COPY'))
      .filter((args) => !args.startsWith('--from'))
      .flatMap((args) => args.split(/\s+/).slice(0, -1));
    const missing = sources.filter((src) => !allowed.some((a) => src === a || src.startsWith(`${a}/`)));
    expect(missing).toEqual([]);
  });

  test('metadata.yaml describes a community alpha API source', () => {
    expect(metadata).toMatchObject({
      connectorType: 'source',
      connectorSubtype: 'api',
      license: pkg.license,
      releaseStage: 'alpha',
      supportLevel: 'community',
      githubIssueLabel: 'source-dataverse',
    });
    expect(metadata.definitionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(metadata.tags).toContain('language:typescript');
    expect(metadata.documentationUrl).toBe((YAML.parse(read('spec.yaml')) as { documentation_url: string }).documentation_url);
  });

  test('metadata.yaml declares allowedHosts (the org and every Entra ID cloud) and suggestedStreams', () => {
    const hosts = (metadata.allowedHosts as { hosts: string[] }).hosts;
    expect(hosts).toEqual(
      expect.arrayContaining(['${org_url}', '*.dynamics.com', 'login.microsoftonline.com', 'login.microsoftonline.us', 'login.chinacloudapi.cn']),
    );
    expect((metadata.suggestedStreams as { streams: string[] }).streams).toEqual(['organization', 'picklist']);
  });

  test('the suggested streams exist in the manifest', () => {
    const manifest = YAML.parse(read('connector/manifest.yaml')) as { definitions: Record<string, { name?: string }> };
    const names = Object.values(manifest.definitions).map((d) => d.name);
    for (const stream of (metadata.suggestedStreams as { streams: string[] }).streams) expect(names).toContain(stream);
  });
});

describe('the static stream list the tests share', () => {
  test('equals the streams connector/manifest.yaml declares, in order', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { STATIC_STREAMS } = require('../integration_tests/helpers/streams') as { STATIC_STREAMS: readonly string[] };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const YAML = require('yaml') as typeof import('yaml');
    const manifest = YAML.parse(require('node:fs').readFileSync(require('node:path').join(__dirname, '..', 'connector', 'manifest.yaml'), 'utf8'));
    const names = (manifest.streams as Array<{ $ref: string }>).map((s) => manifest.definitions[s.$ref.split('/').pop() as string].name);
    expect(names).toEqual([...STATIC_STREAMS]);
  });
});
