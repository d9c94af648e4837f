/**
 * Remembers the answers to a station's last few CALLs so a retried CALL (same message id, as
 * stations do after a lost response) is answered again without running twice. It belongs to the
 * station, not the socket: 2.0.1 message ids are unique per station identity across connections.
 */
type Entry = { frame: string } | { pending: Promise<string | undefined> };

export class ReplyCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly capacity = 8) {}

  get(messageId: string): Entry | undefined {
    return this.entries.get(messageId);
  }

  startPending(messageId: string, pending: Promise<string | undefined>): void {
    this.put(messageId, { pending });
  }

  complete(messageId: string, frame: string | undefined): void {
    if (frame === undefined) this.entries.delete(messageId);
    else this.put(messageId, { frame });
  }

  private put(messageId: string, entry: Entry): void {
    this.entries.delete(messageId);
    this.entries.set(messageId, entry);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }
}
