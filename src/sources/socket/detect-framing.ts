import type { LogEvent } from '../../core/event';
import type { Framer, FramerFactory, FramingErrorCounter } from '../framing/framer';

const LF = 10;
const CR = 13;
const ONE = 49;
const NINE = 57;

/**
 * Chooses a stream's framing from its first byte, once per connection: a digit `1`-`9`
 * starts an RFC 6587 octet count (`123 <34>1 …`), anything else (a syslog `<PRI>`, plain
 * text) means newline-delimited. Line ends before the first frame are skipped. The chosen
 * framer then gets every byte; this only delegates.
 */
class DetectingFramer implements Framer {
  private chosen: Framer | undefined;
  private skipped = 0;

  constructor(
    private readonly octetCounted: FramerFactory,
    private readonly lines: FramerFactory,
    private readonly count: FramingErrorCounter,
  ) {}

  get consumed(): number {
    return this.skipped + (this.chosen?.consumed ?? 0);
  }

  push(chunk: Buffer, timestamp: string, out: LogEvent[], starts?: number[]): void {
    let framer = this.chosen;
    let data = chunk;
    if (framer === undefined) {
      let first = 0;
      while (first < chunk.length && (chunk[first] === LF || chunk[first] === CR)) first++;
      this.skipped += first;
      if (first === chunk.length) return;
      const byte = chunk[first];
      framer = this.chosen = (byte >= ONE && byte <= NINE ? this.octetCounted : this.lines)(this.count);
      data = first === 0 ? chunk : chunk.subarray(first);
    }
    framer.push(data, timestamp, out, starts);
  }

  end(timestamp: string, out: LogEvent[], starts?: number[]): void {
    this.chosen?.end(timestamp, out, starts);
  }
}

/** Octet counting or newline framing, whichever each connection's first byte says (see {@link DetectingFramer}). */
export function detectFraming(octetCounted: FramerFactory, lines: FramerFactory): FramerFactory {
  return (count) => new DetectingFramer(octetCounted, lines, count);
}
