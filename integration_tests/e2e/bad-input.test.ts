/** Every bad input of the table is rejected by `read` with one TRACE config_error carrying the exact message, exit 1. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../helpers/cli';
import { BAD_INPUT_CASES, BASE, DIRECTORY, MISSING, type FileContent } from './bad-input-cases';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'source-dataverse-bad-input-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function place(name: string, content: FileContent): string {
  const file = path.join(dir, name);
  if (content === MISSING) return file;
  if (content === DIRECTORY) {
    fs.mkdirSync(file);
    return file;
  }
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

test('at least 30 bad inputs are tried', () => {
  expect(BAD_INPUT_CASES.length).toBeGreaterThanOrEqual(30);
});

test.each(BAD_INPUT_CASES.map((c, i) => [c.name, c, i] as const))('%s', async (_name, c, i) => {
  const configFile = place(`config-${i}.json`, c.config ?? BASE.config);
  const catalogFile = place(`catalog-${i}.json`, c.catalog ?? BASE.catalog);
  const args = ['read', '--config', configFile, '--catalog', catalogFile];
  let stateFile: string | undefined;
  if (c.input === 'state') {
    stateFile = place(`state-${i}.json`, c.state);
    args.push('--state', stateFile);
  }
  const fileAtFault = { config: configFile, catalog: catalogFile, state: stateFile }[c.input] as string;
  const result = await runCli(args);
  expect(result.code).toBe(1);
  expect(result.messages).toHaveLength(1);
  const [trace] = result.messages;
  expect(trace.trace.error.failure_type).toBe('config_error');
  expect(trace.trace.error.message).toBe(c.message.replace('FILE', fileAtFault));
});
