import { spawnSync } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { DeadlineError, withDeadline } from '../../connector/http/deadline';
import { InterruptedError } from '../../connector/errors';

/** A server that reads requests and never answers: headers never come. */
async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

describe('withDeadline', () => {
  test('a fetch whose headers never come fails at the deadline', async () => {
    const server = await silentServer();
    const started = Date.now();
    await expect(withDeadline(300, undefined, 'GET /', (signal) => fetch(`http://127.0.0.1:${server.port}/`, { signal }))).rejects.toBeInstanceOf(DeadlineError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    await server.close();
  });

  test('an attempt that ignores its signal still settles at the deadline', async () => {
    await expect(withDeadline(50, undefined, 'x', () => new Promise(() => undefined))).rejects.toEqual(new DeadlineError(50));
  });

  test('a stop request ends the attempt with InterruptedError', async () => {
    const controller = new AbortController();
    const running = withDeadline(60_000, controller.signal, 'GET /accounts', () => new Promise(() => undefined));
    controller.abort('SIGTERM');
    await expect(running).rejects.toThrow(new InterruptedError('stopped by SIGTERM during GET /accounts'));
  });

  test('a result before the deadline is returned and the timer is cleared', async () => {
    await expect(withDeadline(10_000, undefined, 'x', async () => 42)).resolves.toBe(42);
  });

  test('garbage collection while the request waits cannot drop the deadline (node --expose-gc)', () => {
    // A separate process: jest cannot expose gc, and the point is the real runtime with forced collections.
    const module = path.resolve(__dirname, '../../dist/connector/http/deadline.js');
    const script = `
      const net = require('node:net');
      const { withDeadline } = require(${JSON.stringify(module)});
      const server = net.createServer((s) => s.resume()).listen(0, '127.0.0.1', async () => {
        const port = server.address().port;
        const collect = setInterval(() => { global.gc(); }, 20);
        const started = Date.now();
        try {
          await withDeadline(500, new AbortController().signal, 'GET /', (signal) => fetch('http://127.0.0.1:' + port + '/', { signal }));
          console.log('resolved');
        } catch (err) {
          console.log(err.name + ' after ' + (Date.now() - started >= 490 ? 'the deadline' : 'too soon'));
        }
        clearInterval(collect);
        process.exit(0);
      });
      setTimeout(() => { console.log('hung'); process.exit(1); }, 10000).unref();
    `;
    const result = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8', timeout: 15_000 });
    expect(result.stdout.trim()).toBe('TimeoutError after the deadline');
    expect(result.status).toBe(0);
  });
});
