import { existsSync, readFileSync, rmSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32c } from './crc32c';
import { syncDirectory } from './segment-writer';

/**
 * The persisted read position of a log: every record numbered below it has been
 * acknowledged downstream. 16 bytes: magic `SLCR`, the sequence number (u64 LE, below
 * 2^53), and a CRC-32C of the first 12 bytes. Written atomically: a temporary file is
 * written and fsynced, renamed over the cursor, and the directory is fsynced.
 */
const MAGIC = Buffer.from('SLCR', 'latin1');
const SIZE = 16;
const TWO_32 = 2 ** 32;

/** What was found on disk: a position, no cursor yet, or a damaged one. */
export type LoadedCursor = { readonly kind: 'found'; readonly seq: number } | { readonly kind: 'missing' } | { readonly kind: 'corrupt' };

function encode(seq: number): Buffer {
  const bytes = Buffer.alloc(SIZE);
  MAGIC.copy(bytes, 0);
  bytes.writeUInt32LE(seq % TWO_32, 4);
  bytes.writeUInt32LE(Math.floor(seq / TWO_32), 8);
  bytes.writeUInt32LE(crc32c(bytes.subarray(0, 12)), 12);
  return bytes;
}

function decode(bytes: Buffer): number | undefined {
  if (bytes.length !== SIZE || !bytes.subarray(0, 4).equals(MAGIC)) return undefined;
  if (crc32c(bytes.subarray(0, 12)) !== bytes.readUInt32LE(12)) return undefined;
  const seq = bytes.readUInt32LE(4) + bytes.readUInt32LE(8) * TWO_32;
  return Number.isSafeInteger(seq) ? seq : undefined;
}

/** The cursor file of a log directory: loaded once at open, then saved as acks advance. */
export class Cursor {
  private readonly path: string;
  private readonly tmp: string;
  private saved: number;
  private wanted: number;
  private saving: Promise<void> | undefined;

  constructor(
    private readonly dir: string,
    initial: number,
    /** Runs after each save with the position now on disk (segments below it may go). */
    private readonly onSaved: (seq: number) => void,
  ) {
    this.path = join(dir, 'cursor');
    this.tmp = join(dir, 'cursor.tmp');
    this.saved = initial;
    this.wanted = initial;
  }

  /** Reads the cursor of `dir` (a leftover temporary file from a crash is removed). */
  static load(dir: string): LoadedCursor {
    rmSync(join(dir, 'cursor.tmp'), { force: true });
    const path = join(dir, 'cursor');
    if (!existsSync(path)) return { kind: 'missing' };
    const seq = decode(readFileSync(path));
    return seq === undefined ? { kind: 'corrupt' } : { kind: 'found', seq };
  }

  /** The position last written to disk. */
  get persisted(): number {
    return this.saved;
  }

  /**
   * Saves `seq` (or a later position asked for meanwhile). Saves run one at a time and
   * coalesce: many calls during one save cost one more save, of the latest position.
   */
  save(seq: number): Promise<void> {
    if (seq > this.wanted) this.wanted = seq;
    if (this.saving === undefined && this.wanted > this.saved) {
      this.saving = this.drain().finally(() => (this.saving = undefined));
    }
    return this.saving ?? Promise.resolve();
  }

  private async drain(): Promise<void> {
    while (this.wanted > this.saved) {
      const seq = this.wanted;
      await this.write(seq);
      this.saved = seq;
      this.onSaved(seq);
    }
  }

  private async write(seq: number): Promise<void> {
    const file = await open(this.tmp, 'w');
    try {
      await file.write(encode(seq), 0, SIZE, 0);
      await file.datasync();
    } finally {
      await file.close();
    }
    await rename(this.tmp, this.path);
    await syncDirectory(this.dir);
  }
}
