import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import { releaseIdleDeflate, releaseIdleInflate } from './zlib-release.js';

const DEFLATE = { threshold: 1024, serverNoContextTakeover: true, clientNoContextTakeover: true };

interface Internals {
  _extensions: Record<string, { _inflate: unknown; _deflate: unknown } | undefined>;
}

describe('releasing idle zlib streams', () => {
  let wss: WebSocketServer | undefined;
  afterEach(() => wss?.close());

  async function pair(): Promise<{ server: WebSocket; client: WebSocket }> {
    wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: DEFLATE });
    await new Promise((resolve) => wss!.once('listening', resolve));
    const port = (wss.address() as AddressInfo).port;
    const serverSide = new Promise<WebSocket>((resolve) => wss!.once('connection', resolve));
    const client = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: DEFLATE });
    await new Promise((resolve) => client.once('open', resolve));
    return { server: await serverSide, client };
  }

  it('frees the inflate and deflate streams after compressed traffic, and compression still works after', async () => {
    const { server, client } = await pair();
    const big = 'x'.repeat(4096);
    const received: string[] = [];
    // What the ws internals looked like before and after each release: [inflate, deflate] live?
    const observed: string[] = [];
    const live = () => {
      const pmd = (server as unknown as Internals)._extensions['permessage-deflate'];
      return `${pmd?._inflate ? 'in' : '-'}/${pmd?._deflate ? 'out' : '-'}`;
    };
    server.on('message', (data) => {
      received.push(data.toString());
      observed.push(`received ${live()}`);
      releaseIdleInflate(server);
      observed.push(`released-inflate ${live()}`);
      server.send(data.toString(), () => {
        observed.push(`sent ${live()}`);
        releaseIdleDeflate(server);
        observed.push(`released-deflate ${live()}`);
      });
    });
    const echoes: string[] = [];
    const twoEchoes = new Promise<void>((resolve) =>
      client.on('message', (data) => {
        echoes.push(data.toString());
        if (echoes.length === 2) resolve();
      }),
    );
    client.send(big);
    client.send(`${big}y`);
    await twoEchoes;
    expect(received).toEqual([big, `${big}y`]);
    expect(echoes).toEqual([big, `${big}y`]);
    // Compression really ran: each direction had a live stream before its release...
    expect(observed.filter((o) => o.startsWith('received in/'))).toHaveLength(2);
    expect(observed.filter((o) => o.startsWith('sent') && o.endsWith('/out'))).toHaveLength(2);
    // ...and every release left its stream closed (a busy stream of the other direction is left alone).
    expect(observed.filter((o) => o.startsWith('released-inflate')).every((o) => o.includes(' -/'))).toBe(true);
    expect(observed.filter((o) => o.startsWith('released-deflate')).every((o) => o.endsWith('/-'))).toBe(true);
    expect(live()).toBe('-/-');
    client.close();
  });
});
