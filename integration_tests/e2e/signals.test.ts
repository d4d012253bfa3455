/**
 * SIGTERM and SIGINT stop a read promptly: the records already written stay, no STATE comes after
 * the signal, and the run ends with one TRACE transient_error saying to resume from the last state.
 */
import { spawn } from 'node:child_process';
import { startEmulator, type Emulator } from '../emulator';
import { assertValidMessage } from '../helpers/messages';
import { BIN, CA, ROOT, writeJson, type Message } from '../helpers/cli';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
  emulator.tables.define('account', { rowCount: 2000 });
  // Slow pages: the signal lands while a request is in flight.
  emulator.faults.add({ target: 'org', path: /\/accounts\?/, times: Infinity, action: { kind: 'delay', ms: 300 } });
});
afterAll(() => emulator.close());

test.each(['SIGTERM', 'SIGINT'] as const)('%s after the first STATE', async (signal) => {
  const config = writeJson(`signal-config-${signal}.json`, emulator.config({ entities: ['account'], page_size: 100 }));
  const catalog = writeJson('signal-catalog.json', { streams: [{ stream: { name: 'account' }, sync_mode: 'incremental', destination_sync_mode: 'append' }] });
  const child = spawn(process.execPath, [BIN, 'read', '--config', config, '--catalog', catalog], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', NODE_EXTRA_CA_CERTS: CA }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let signalledAt = 0;
  const messagesAtSignal: number[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    if (!signalledAt && out.includes('"type":"STATE"')) {
      signalledAt = Date.now();
      messagesAtSignal.push(out.split('\n').length - 1);
      child.kill(signal);
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const stoppedAfterMs = Date.now() - signalledAt;
  const messages = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Message);
  messages.forEach(assertValidMessage);
  expect(code).toBe(1);
  expect(stoppedAfterMs).toBeLessThan(2000);
  const last = messages[messages.length - 1];
  expect(last.type).toBe('TRACE');
  expect(last.trace.error.failure_type).toBe('transient_error');
  expect(last.trace.error.message).toBe(`the connector was stopped by ${signal}; nothing after the last STATE it printed was claimed: resume from that state`);
  // Every STATE counts exactly the records before it; whatever was printed after the last STATE is
  // records only (they are re-read on resume).
  let since = 0;
  for (const m of messages) {
    if (m.type === 'RECORD') since++;
    if (m.type === 'STATE') {
      expect(m.state.sourceStats.recordCount).toBe(since);
      since = 0;
    }
  }
  expect(messages.filter((m) => m.type === 'RECORD').length).toBeLessThan(2000);
});
