/** Spawns the built CLI (bin/source-dataverse) the way a platform does, and parses what it prints. */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { knownSecrets } from '../emulator/secrets-registry';
import { findLeak } from './leaks';
import { assertValidMessage } from './messages';

export const ROOT = path.resolve(__dirname, '..', '..');
export const BIN = path.join(ROOT, 'bin', 'source-dataverse');
export const CA = path.join(ROOT, 'integration_tests', 'emulator', 'certs', 'ca.pem');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Message = Record<string, any>;

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  messages: Message[];
}

/** Every output of every run, so a test can grep all of it for secrets at the end. */
export const ALL_OUTPUT: string[] = [];

let tmp: string | undefined;
/** Writes a JSON file in a per-process temp folder and returns its path. */
export function writeJson(name: string, value: unknown): string {
  tmp ??= fs.mkdtempSync(path.join(os.tmpdir(), 'source-dataverse-test-'));
  const file = path.join(tmp, name);
  fs.writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
}

/** Runs the CLI; each stdout line must be a valid Airbyte message (else the test fails). */
export function runCli(args: string[], options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', NODE_EXTRA_CA_CERTS: CA, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      ALL_OUTPUT.push(stdout, stderr);
      // Suite-wide: no run of any test may print a secret or a piece of a token.
      const leak = findLeak(stdout, knownSecrets()) ?? findLeak(stderr, knownSecrets());
      if (leak) {
        reject(new Error(`source-dataverse ${args[0]} printed a secret: ${leak}`));
        return;
      }
      try {
        const messages = stdout
          .split('\n')
          .filter((line) => line.length > 0)
          .map((line) => JSON.parse(line) as Message);
        messages.forEach(assertValidMessage);
        resolve({ code, signal, stdout, stderr, messages });
      } catch (err) {
        reject(new Error(`${(err as Error).message}\n--- stdout:\n${stdout.slice(0, 2000)}\n--- stderr:\n${stderr.slice(0, 2000)}`));
      }
    });
  });
}

export const ofType = (messages: Message[], type: string): Message[] => messages.filter((m) => m.type === type);
export const records = (messages: Message[], stream?: string): Message[] =>
  ofType(messages, 'RECORD').filter((m) => stream === undefined || m.record.stream === stream);
export const statuses = (messages: Message[], stream: string): string[] =>
  ofType(messages, 'TRACE')
    .filter((m) => m.trace.type === 'STREAM_STATUS' && m.trace.stream_status.stream_descriptor.name === stream)
    .map((m) => m.trace.stream_status.status);
