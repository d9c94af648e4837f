/** One server-sent event or comment as the wire carried it. */
export interface SseMessage {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

/**
 * Reads a text/event-stream over a real HTTP connection (fetch) and hands out parsed messages
 * in order; `next(match)` waits for the next one that matches.
 */
export class SseClient {
  readonly status: number;
  private readonly messages: SseMessage[] = [];
  private readonly waiters: { match: (m: SseMessage) => boolean; resolve: (m: SseMessage) => void; reject: (e: Error) => void }[] = [];
  private ended = false;
  private readonly done: Promise<void>;

  private constructor(response: Response, private readonly abort: AbortController) {
    this.status = response.status;
    this.done = this.pump(response);
  }

  static async open(url: string, headers: Record<string, string>): Promise<SseClient> {
    const abort = new AbortController();
    const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
    return new SseClient(response, abort);
  }

  /** Resolves with the next message (past or future) that matches; rejects if the stream ends first. */
  next(match: (m: SseMessage) => boolean = (m) => m.event !== undefined): Promise<SseMessage> {
    const index = this.messages.findIndex(match);
    if (index >= 0) return Promise.resolve(this.messages.splice(index, 1)[0]!);
    if (this.ended) return Promise.reject(new Error('stream ended'));
    return new Promise((resolve, reject) => this.waiters.push({ match, resolve, reject }));
  }

  /** Resolves when the server ends the stream. */
  closed(): Promise<void> {
    return this.done;
  }

  close(): void {
    this.abort.abort();
  }

  private async pump(response: Response): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          for (const message of parseBlock(block)) this.deliver(message);
        }
      }
    } catch {
      // aborted by close()
    }
    this.ended = true;
    for (const waiter of this.waiters.splice(0)) waiter.reject(new Error('stream ended'));
  }

  private deliver(message: SseMessage): void {
    const index = this.waiters.findIndex((w) => w.match(message));
    if (index >= 0) this.waiters.splice(index, 1)[0]!.resolve(message);
    else this.messages.push(message);
  }
}

function parseBlock(block: string): SseMessage[] {
  const out: SseMessage[] = [];
  const event: SseMessage = {};
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) out.push({ comment: line.slice(1).trim() });
    else if (line.startsWith('id: ')) event.id = line.slice(4);
    else if (line.startsWith('event: ')) event.event = line.slice(7);
    else if (line.startsWith('data: ')) event.data = (event.data !== undefined ? `${event.data}\n` : '') + line.slice(6);
  }
  if (event.event !== undefined || event.data !== undefined) out.push(event);
  return out;
}
