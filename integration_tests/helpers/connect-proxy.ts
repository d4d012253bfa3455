/**
 * A tiny HTTP CONNECT proxy for end-to-end tests: it tunnels TLS to the target it is asked for and
 * records every CONNECT, so a test can tell which connections went through it. `refuse` names
 * targets answered 403 instead (a proxy policy that blocks a host).
 */
import * as http from 'node:http';
import * as net from 'node:net';
import { once } from 'node:events';

/** A running proxy. */
export interface ConnectProxy {
  /** `http://127.0.0.1:<port>`: the value for HTTPS_PROXY. */
  url: string;
  /** Every CONNECT target (`host:port`), in arrival order, refused ones included. */
  connects: string[];
  /** Targets to answer 403 (host:port), for a test to change between runs. */
  refuse: Set<string>;
  close(): Promise<void>;
}

export async function startConnectProxy(): Promise<ConnectProxy> {
  const connects: string[] = [];
  const refuse = new Set<string>();
  const sockets = new Set<net.Socket>();
  const server = http.createServer((_req, res) => {
    // Only tunnels: a plain-HTTP request through the proxy would mean a request sent unencrypted.
    res.writeHead(405, { Connection: 'close' }).end();
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const target = req.url ?? '';
    connects.push(target);
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    const match = /^(.+):(\d+)$/.exec(target);
    if (!match || refuse.has(target)) {
      client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const upstream = net.connect(Number(match[2]), match[1]!.replace(/^\[|\]$/g, ''), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connects,
    refuse,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
