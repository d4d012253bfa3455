/**
 * The emulator's transport: the three HTTPS servers (TLS material, ports, listening and closing),
 * the connections under them, and the faults that act on sockets rather than on answers
 * (a reset before anything is sent, a silent server, a listener going away).
 *
 * It knows nothing of routes or of the service: each request becomes an {@link Exchange} handed to
 * the handler given at construction (server.ts), which answers it through {@link sendExchange}.
 */
import * as fs from 'node:fs';
import * as https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import * as path from 'node:path';
import type { Target } from './context';
import type { FaultAction } from './faults';
import { assetDir } from './fixtures';
import type { Reply } from './router';
import { sendReply, type Timers } from './wire';

/** One request on one of the servers, with what is needed to answer it or break its connection. */
export interface Exchange {
  target: Target;
  req: IncomingMessage;
  res: ServerResponse;
  /** The raw TCP socket under the TLS one: only it can send an RST. */
  raw: Socket | undefined;
  /** Whether the exchange's server still accepts connections. */
  listening(): boolean;
  /** Stops the exchange's server listening (a `closeListener` fault), reopening it after `reopenAfterMs` if given. */
  stopListening(reopenAfterMs: number | undefined): void;
}

/** Handles one exchange; a rejection destroys its socket. */
export type ExchangeHandler = (exchange: Exchange) => Promise<void>;

interface TlsMaterial {
  key: Buffer;
  cert: Buffer;
}

function tlsMaterial(name: 'server' | 'untrusted'): TlsMaterial {
  const dir = assetDir('certs');
  return { key: fs.readFileSync(path.join(dir, `${name}.key`)), cert: fs.readFileSync(path.join(dir, `${name}.pem`)) };
}

/** The request body as text. */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Ports to listen on; 0 or absent: a free one. */
export interface Ports {
  login?: number;
  org?: number;
}

/** The three servers: login and org behind the test CA's certificate, untrusted behind a self-signed one. */
export class Transport {
  private readonly servers: Record<Target, https.Server>;
  /** Raw TCP sockets by remote port, per server: TLS sockets cannot send an RST themselves. */
  private readonly rawSockets = new Map<https.Server, Map<number, Socket>>();
  /** The port each server was started on, to listen on again after a `closeListener`. */
  private readonly ports = new Map<https.Server, number>();
  private closed = false;

  constructor(
    private readonly timers: Timers,
    private readonly handler: ExchangeHandler,
  ) {
    const trusted = tlsMaterial('server');
    this.servers = { login: this.createServer('login', trusted), org: this.createServer('org', trusted), untrusted: this.createServer('untrusted', tlsMaterial('untrusted')) };
  }

  /** Listens on all three; resolves with their ports. */
  async listen(ports: Ports): Promise<Record<Target, number>> {
    const login = await this.listenOne(this.servers.login, ports.login ?? 0);
    const org = await this.listenOne(this.servers.org, ports.org ?? 0);
    const untrusted = await this.listenOne(this.servers.untrusted, 0);
    return { login, org, untrusted };
  }

  /** Works in every state: listening, stopped by a `closeListener` (reopen pending or not), closed. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(
      Object.values(this.servers).map(
        (server) =>
          new Promise<void>((resolve) => {
            // A server a closeListener stopped has no listener left but may still hold connections.
            if (server.listening) server.close(() => resolve());
            else resolve();
            for (const socket of this.rawSockets.get(server)?.values() ?? []) socket.destroy();
          }),
      ),
    );
  }

  private createServer(target: Target, tls: TlsMaterial): https.Server {
    // Headers and request lines up to 128 KB reach the handlers, so the service's own URL limit
    // (the dispatcher's 414) answers, not Node's 16 KB default (431).
    const server = https.createServer({ ...tls, maxHeaderSize: 128 * 1024 });
    const sockets = new Map<number, Socket>();
    this.rawSockets.set(server, sockets);
    server.on('connection', (socket: Socket) => {
      const port = socket.remotePort;
      socket.on('error', () => undefined);
      if (port === undefined) return;
      sockets.set(port, socket);
      socket.on('close', () => sockets.delete(port));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      res.on('error', () => undefined);
      const raw = req.socket.remotePort === undefined ? undefined : sockets.get(req.socket.remotePort);
      const exchange: Exchange = {
        target,
        req,
        res,
        raw,
        listening: () => server.listening,
        stopListening: (reopenAfterMs) => this.stopListening(server, reopenAfterMs),
      };
      this.handler(exchange).catch(() => res.socket?.destroy());
    });
    return server;
  }

  private listenOne(server: https.Server, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        const bound = (server.address() as AddressInfo).port;
        this.ports.set(server, bound);
        resolve(bound);
      });
    });
  }

  /**
   * A `closeListener` fault: the server stops accepting connections at once (so a client's next
   * connection is refused, whatever it does with the current answer) and drops idle keep-alive
   * connections; busy ones finish their exchange. [INF] Stands for a front end going away
   * mid-run (deployment, failover).
   */
  private stopListening(server: https.Server, reopenAfterMs: number | undefined): void {
    if (server.listening) {
      server.close();
      server.closeIdleConnections();
    }
    if (reopenAfterMs !== undefined) this.timers.after(reopenAfterMs, () => this.reopen(server, 0));
  }

  private reopen(server: https.Server, attempt: number): void {
    if (this.closed || server.listening) return;
    const retry = () => {
      server.off('listening', done);
      // The port was taken in between (rare): keep trying for a few seconds.
      if (attempt < 50) this.timers.after(100, () => this.reopen(server, attempt + 1));
    };
    const done = () => server.off('error', retry);
    server.once('error', retry);
    server.once('listening', done);
    server.listen(this.ports.get(server), '127.0.0.1');
  }
}

/**
 * Applies the faults that act on the connection before any answer: a reset without `afterBytes`,
 * `silent` (held open, never answered: the client's timeout, or the emulator's close, ends it),
 * and `closeListener` (with `before`, the connection is destroyed unanswered). True when the
 * exchange ends here.
 */
export function connectionFault(action: FaultAction | undefined, exchange: Exchange): boolean {
  if (action?.kind === 'reset' && action.afterBytes === undefined) {
    exchange.raw?.resetAndDestroy();
    return true;
  }
  if (action?.kind === 'silent') return true;
  if (action?.kind === 'closeListener') {
    exchange.stopListening(action.reopenAfterMs);
    if (action.before) {
      exchange.res.socket?.destroy();
      return true;
    }
  }
  return false;
}

/** Whether the client went away (during a delay or the modelled server time). */
export function clientGone(exchange: Exchange): boolean {
  return exchange.res.destroyed || exchange.res.socket?.destroyed === true;
}

/** Sends `reply` on the exchange as the fault (if any) says; `onBody` counts body bytes written. */
export function sendExchange(exchange: Exchange, reply: Reply, action: FaultAction | undefined, timers: Timers, onBody: (bytes: number) => void): void {
  sendReply(reply, action, {
    res: exchange.res,
    raw: exchange.raw,
    timers,
    onBody,
    // Stopped servers let no connection go back to keep-alive: the next request needs a new one.
    closeConnection: action?.kind === 'closeListener' || !exchange.listening(),
  });
}
