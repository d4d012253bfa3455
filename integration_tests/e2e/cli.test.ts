/** The CLI contract: --help everywhere, unknown commands and flags rejected with one TRACE ERROR and exit 1. */
import { runCli, writeJson } from '../helpers/cli';

describe('--help', () => {
  test.each([
    [[], 'Usage:\n  source-dataverse spec'],
    [['--help'], 'Usage:\n  source-dataverse spec'],
    [['spec', '--help'], 'Usage: source-dataverse spec'],
    [['check', '--help'], 'Usage: source-dataverse check --config CONFIG.json'],
    [['discover', '--help'], 'Usage: source-dataverse discover --config CONFIG.json'],
    [['read', '--help'], 'Usage: source-dataverse read --config CONFIG.json --catalog CATALOG.json [--state STATE.json]'],
  ])('%j prints usage on stderr, nothing on stdout, exit 0', async (args, expected) => {
    const result = await runCli(args);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(expected);
  });
});

describe('usage errors end in exactly one TRACE ERROR (config_error) and exit 1', () => {
  test.each([
    [['sync'], 'unknown command "sync"; use one of: spec, check, discover, read (see --help)'],
    [['spec', '--config', 'x.json'], 'unknown option --config for spec; see source-dataverse spec --help'],
    [['check'], 'check needs --config CONFIG.json; see source-dataverse check --help'],
    [['check', '--config', '/nonexistent/config.json'], 'the --config file /nonexistent/config.json does not exist'],
    [['discover', '--config', 'c.json', '--verbose'], 'unknown option --verbose for discover; see source-dataverse discover --help'],
    [['read', '--config', 'c.json'], 'read needs --catalog CATALOG.json; see source-dataverse read --help'],
  ])('%j', async (args, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(1);
    expect(result.messages).toHaveLength(1);
    const [trace] = result.messages;
    expect(trace.type).toBe('TRACE');
    expect(trace.trace.type).toBe('ERROR');
    expect(trace.trace.error.message).toBe(message);
    expect(trace.trace.error.failure_type).toBe('config_error');
    expect(result.stderr).toBe(`source-dataverse: ${message}\n`);
  });

  test('a config file that is not JSON does not echo its content', async () => {
    const file = writeJson('broken-config.json', '{"client_secret": "do-not-print-me-please", oops}');
    const result = await runCli(['check', '--config', file]);
    expect(result.code).toBe(1);
    expect(result.messages).toHaveLength(1);
    expect(result.messages[0].trace.error.message).toBe(`the --config file ${file} is not valid JSON (line 1): fix its syntax`);
    expect(result.stdout + result.stderr).not.toContain('do-not-print-me-please');
  });

  test('a bogus catalog (unknown stream) ends in a TRACE ERROR naming the streams', async () => {
    const config = writeJson('bogus-catalog-config.json', {
      org_url: 'https://127.0.0.1:1',
      tenant_id: 'f6976b02-5a42-4e90-ac3d-8bf516ce0859',
      client_id: 'a8fdfbd0-da97-42d9-8f1a-fd6a7cb650b4',
      client_secret: 'not-used-here-123',
    });
    const catalog = writeJson('bogus-catalog.json', { streams: [{ stream: { name: 'accounts' }, sync_mode: 'full_refresh', destination_sync_mode: 'overwrite' }] });
    const result = await runCli(['read', '--config', config, '--catalog', catalog]);
    expect(result.code).toBe(1);
    expect(result.messages.map((m) => m.type)).toEqual(['TRACE']);
    expect(result.messages[0].trace.error.message).toBe(
      `--catalog ${catalog} streams[0]: stream "accounts" does not exist in this source (streams: organization, picklist, entity_metadata, attribute_metadata); run discover for the current catalog`,
    );
  });

  test('an invalid sync_mode ends in a TRACE ERROR', async () => {
    const config = writeJson('bogus-mode-config.json', {
      org_url: 'https://127.0.0.1:1',
      tenant_id: 'f6976b02-5a42-4e90-ac3d-8bf516ce0859',
      client_id: 'a8fdfbd0-da97-42d9-8f1a-fd6a7cb650b4',
      client_secret: 'not-used-here-123',
    });
    const catalog = writeJson('bogus-mode.json', { streams: [{ stream: { name: 'organization' }, sync_mode: 'incremental', destination_sync_mode: 'append' }] });
    const result = await runCli(['read', '--config', config, '--catalog', catalog]);
    expect(result.code).toBe(1);
    expect(result.messages[0].trace.error.message).toBe(
      `--catalog ${catalog} streams[0]: stream "organization" does not support incremental (supported: full_refresh)`,
    );
  });
});
