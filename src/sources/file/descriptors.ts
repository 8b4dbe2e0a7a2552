import { closeFile, openFile, statOpen, type FileReader } from './file-reader';

/** What {@link DescriptorPool.acquire} did. */
export type Acquired =
  /** The reader holds a descriptor now. */
  | 'opened'
  /** Every descriptor is busy: the reader waits, and is handed back by `close` when one frees up. */
  | 'waiting'
  /** Its path names another file now (ours was renamed or deleted while it had no descriptor). */
  | 'moved';

/**
 * The `max_open_files` bound. A reader that needs a descriptor while all are taken gets the
 * one of the least recently read idle reader (at its end, not queued, not orphaned: an
 * orphan's file may be deleted and could not be reopened); when none is idle it waits.
 * Descriptors are closed synchronously, so the bound holds at every instant.
 */
export class DescriptorPool {
  private open = 0;
  private readonly waiters: FileReader[] = [];

  constructor(private readonly max: number) {}

  async acquire(reader: FileReader, others: Iterable<FileReader>): Promise<Acquired> {
    if (this.open >= this.max) {
      let victim: FileReader | undefined;
      for (const other of others) {
        if (other.fd === undefined || other.orphaned || other.queued || !other.atEof || other.inflated !== undefined || other === reader) continue;
        if (victim === undefined || other.lastRead < victim.lastRead) victim = other;
      }
      if (victim === undefined) {
        this.waiters.push(reader);
        return 'waiting';
      }
      this.close(victim);
    }
    this.open++;
    let fd: number;
    try {
      fd = await openFile(reader.path);
    } catch (error) {
      this.open--;
      throw error;
    }
    let place: string;
    try {
      place = (await statOpen(fd)).place;
    } catch (error) {
      closeFile(fd);
      this.open--;
      throw error;
    }
    if (place !== reader.place) {
      closeFile(fd);
      this.open--;
      return 'moved';
    }
    reader.fd = fd;
    return 'opened';
  }

  /** Closes the reader's descriptor (and `.gz` stream); returns the readers that waited for one. */
  close(reader: FileReader): FileReader[] {
    reader.inflated?.destroy();
    reader.inflated = undefined;
    if (reader.fd === undefined) return [];
    closeFile(reader.fd);
    reader.fd = undefined;
    this.open--;
    return this.waiters.splice(0);
  }
}
