/**
 * The last frames of each station in both directions, for troubleshooting from the API. A fixed
 * ring per station: no allocation per frame beyond the string the socket already gave us.
 */
export interface LoggedFrame {
  at: string;
  direction: 'in' | 'out';
  frame: string;
}

const MAX_FRAME_CHARS = 4096;

export class FrameRing {
  private readonly at: number[];
  private readonly direction: ('in' | 'out')[];
  private readonly frames: string[];
  private next = 0;
  private count = 0;

  constructor(private readonly capacity: number) {
    this.at = new Array<number>(capacity);
    this.direction = new Array<'in' | 'out'>(capacity);
    this.frames = new Array<string>(capacity);
  }

  push(atMs: number, direction: 'in' | 'out', frame: string): void {
    if (this.capacity === 0) return;
    this.at[this.next] = atMs;
    this.direction[this.next] = direction;
    this.frames[this.next] = frame.length > MAX_FRAME_CHARS ? `${frame.slice(0, MAX_FRAME_CHARS)}…` : frame;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  /** Oldest first. */
  list(): LoggedFrame[] {
    const out: LoggedFrame[] = [];
    for (let i = 0; i < this.count; i++) {
      const index = (this.next - this.count + i + this.capacity) % this.capacity;
      out.push({ at: new Date(this.at[index] ?? 0).toISOString(), direction: this.direction[index] ?? 'in', frame: this.frames[index] ?? '' });
    }
    return out;
  }
}
