const ZSTD_MAGIC = 0xfd2fb528;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;

/**
 * The largest window a frame may ask for (when the body limit is smaller): 8 MiB, the zstd
 * format's recommended decoder minimum. The `zstd` CLI and libraries use 2-8 MiB windows for
 * streamed input at ordinary levels; `--long` or `--ultra` streams need more and are refused.
 */
export const ZSTD_MAX_WINDOW = 8 * 1024 * 1024;

/** Thrown when a decoder's output passes its bound; the body reader answers 413. */
export class DecodedTooLarge extends Error {
  override name = 'DecodedTooLarge';
  constructor(readonly limit: number) {
    super(`decompressed body is over ${limit} bytes`);
  }
}

type Stage = 'magic' | 'skip-size' | 'skip' | 'descriptor' | 'header' | 'block-header' | 'block' | 'checksum';

/**
 * Walks the frame structure of a zstd stream as it arrives (magic, frame header, block
 * headers) without decompressing, and refuses a frame whose declared content size is over
 * `maxContent` or whose window is over `maxWindow` before the decompressor sees it. fzstd
 * allocates a frame's window up front (up to 2 GiB for what a 20-byte header claims); this
 * guard keeps a hostile header from allocating more than the larger of the two.
 */
export class ZstdFrameGuard {
  private stage: Stage = 'magic';
  private need = 4;
  private pending: number[] = [];
  private descriptor = 0;
  private checksum = false;
  private lastBlock = false;

  constructor(
    /** Largest content size a frame may declare. */
    private readonly maxContent: number,
    /** Largest window a frame may ask for. */
    private readonly maxWindow: number = ZSTD_MAX_WINDOW,
  ) {}

  /** Checks `chunk`; throws on malformed or oversized frames. */
  check(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.stage === 'skip' || this.stage === 'block') {
        const take = Math.min(this.need, chunk.length - at);
        at += take;
        this.need -= take;
        if (this.need === 0) this.afterContent();
        continue;
      }
      this.pending.push(chunk[at++]);
      if (this.pending.length === this.need) {
        const bytes = this.pending;
        this.pending = [];
        this.onField(bytes);
      }
    }
  }

  /** True when the stream ended on a frame boundary. */
  get complete(): boolean {
    return this.stage === 'magic' && this.pending.length === 0;
  }

  private afterContent(): void {
    if (this.stage === 'skip') return this.expect('magic', 4);
    if (!this.lastBlock) return this.expect('block-header', 3);
    if (this.checksum) return this.expect('checksum', 4);
    this.expect('magic', 4);
  }

  private expect(stage: Stage, need: number): void {
    this.stage = stage;
    this.need = need;
    if (need === 0) this.afterContent();
  }

  private onField(bytes: number[]): void {
    const le = (from: number, count: number): number => {
      let value = 0;
      for (let i = count - 1; i >= 0; i--) value = value * 256 + bytes[from + i];
      return value;
    };
    switch (this.stage) {
      case 'magic': {
        const magic = le(0, 4);
        if (magic === ZSTD_MAGIC) return this.expect('descriptor', 1);
        if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) return this.expect('skip-size', 4);
        throw new Error('not a zstd stream (bad magic number)');
      }
      case 'skip-size':
        return this.expect('skip', le(0, 4));
      case 'descriptor': {
        const descriptor = bytes[0];
        if ((descriptor & 0x08) !== 0) throw new Error('zstd frame header has its reserved bit set');
        this.descriptor = descriptor;
        this.checksum = (descriptor & 0x04) !== 0;
        const singleSegment = (descriptor & 0x20) !== 0;
        const fcsFlag = descriptor >> 6;
        const sizeBytes = fcsFlag === 0 ? (singleSegment ? 1 : 0) : 1 << fcsFlag;
        const headerBytes = (singleSegment ? 0 : 1) + [0, 1, 2, 4][descriptor & 3] + sizeBytes;
        return this.expect('header', headerBytes);
      }
      case 'header': {
        const singleSegment = (this.descriptor & 0x20) !== 0;
        const fcsFlag = this.descriptor >> 6;
        const sizeBytes = fcsFlag === 0 ? (singleSegment ? 1 : 0) : 1 << fcsFlag;
        const sizeAt = bytes.length - sizeBytes;
        const contentSize = sizeBytes === 0 ? undefined : le(sizeAt, sizeBytes) + (sizeBytes === 2 ? 256 : 0);
        let window = contentSize ?? 0;
        if (!singleSegment) {
          const exponent = 10 + (bytes[0] >> 3);
          const base = 2 ** exponent;
          window = base + (base / 8) * (bytes[0] & 7);
        }
        if (contentSize !== undefined && contentSize > this.maxContent) throw new DecodedTooLarge(this.maxContent);
        if (window > this.maxWindow) throw new Error(`zstd frame asks for a ${window}-byte window; at most ${this.maxWindow} is accepted`);
        this.lastBlock = false;
        return this.expect('block-header', 3);
      }
      case 'block-header': {
        const header = le(0, 3);
        this.lastBlock = (header & 1) === 1;
        const type = (header >> 1) & 3;
        if (type === 3) throw new Error('zstd block of the reserved type');
        return this.expect('block', type === 1 ? 1 : header >>> 3);
      }
      case 'checksum':
        return this.expect('magic', 4);
      default:
        throw new Error(`zstd guard in an impossible stage ${this.stage}`);
    }
  }
}

