import { close, closeSync, fdatasync, ftruncateSync, openSync, writeSync, writevSync } from 'node:fs';
import { segmentHeader } from './record';
import type { SegmentFile } from './segments';

const datasync = (fd: number): Promise<void> =>
  new Promise((resolve, reject) => fdatasync(fd, (error) => (error ? reject(error) : resolve())));

export { syncDirectory } from '../core/durable-fs';

/**
 * The segment being appended to: a file descriptor, written with `writev` (one system call
 * for a group of records, no copy into one buffer), synced with an asynchronous
 * `fdatasync`. A failed write is cut back off the file, so the file never ends in a
 * half-written record that a later append would follow.
 */
export class SegmentWriter {
  private fd: number;
  private written: number;

  private constructor(readonly file: SegmentFile) {
    this.fd = openSync(file.path, 'w');
    this.written = 0;
    this.write([segmentHeader()]);
  }

  /** Creates (or replaces) the segment file and writes its header. */
  static create(file: SegmentFile): SegmentWriter {
    return new SegmentWriter(file);
  }

  /** Bytes in the file, header included. */
  get size(): number {
    return this.written;
  }

  /** Appends `buffers` at the end of the file; throws (after truncating back) on failure. */
  write(buffers: readonly Buffer[]): void {
    const before = this.written;
    try {
      let total = 0;
      for (const buffer of buffers) total += buffer.length;
      let done = writevSync(this.fd, buffers as Buffer[], before);
      // A short write (rare on regular files) finishes buffer by buffer.
      let at = 0;
      for (const buffer of buffers) {
        if (done < at + buffer.length) {
          const from = Math.max(0, done - at);
          for (let offset = from; offset < buffer.length; ) offset += writeSync(this.fd, buffer, offset, buffer.length - offset, before + at + offset);
          done = at + buffer.length;
        }
        at += buffer.length;
      }
      this.written = before + total;
    } catch (error) {
      try {
        ftruncateSync(this.fd, before);
      } catch {
        // the file is unusable; the caller rolls to a new segment
      }
      throw error;
    }
  }

  /** Makes everything written so far durable. */
  sync(): Promise<void> {
    return datasync(this.fd);
  }

  close(): void {
    closeSync(this.fd);
  }

  /**
   * Closes the descriptor off the event loop: closing a just-synced 64 MiB segment took up
   * to 60-80 ms on the loop (bench disk_buffer_loop_delay). Its data is already durable.
   */
  closeInBackground(onError: (error: Error) => void): void {
    close(this.fd, (error) => error && onError(error));
  }
}
