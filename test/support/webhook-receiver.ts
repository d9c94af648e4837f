import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
  json: any;
}

/**
 * A local HTTP endpoint for webhook tests. `answer` decides each status (default 200); `next()`
 * resolves with the next request that arrives (or one already waiting), so tests never sleep.
 */
export class WebhookReceiver {
  readonly received: ReceivedRequest[] = [];
  answer: (request: ReceivedRequest) => number = () => 200;
  private readonly queue: ReceivedRequest[] = [];
  private readonly waiting: ((request: ReceivedRequest) => void)[] = [];
  private constructor(private readonly server: Server, readonly url: string) {}

  static async start(path = '/hook'): Promise<WebhookReceiver> {
    let receiver: WebhookReceiver | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch {
          json = undefined;
        }
        const request = { headers: req.headers, body, json };
        res.writeHead(receiver?.answer(request) ?? 500).end();
        receiver?.arrived(request);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    receiver = new WebhookReceiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`);
    return receiver;
  }

  next(): Promise<ReceivedRequest> {
    const ready = this.queue.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private arrived(request: ReceivedRequest): void {
    this.received.push(request);
    const waiter = this.waiting.shift();
    if (waiter) waiter(request);
    else this.queue.push(request);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
