import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { syncDirectory } from '../core/durable-fs';

interface Entry {
  readonly handle: Promise<FileHandle>;
  /** The end of the chain of operations on this file: they run one after another. */
  queue: Promise<unknown>;
  users: number;
  /** A write failed: close it once idle and reopen on next use. */
  broken: boolean;
}

/**
 * A process killed mid-write leaves its file ending in a partial line. Appending right after
 * it would glue the next line onto the fragment and hide that event from every NDJSON
 * reader, so end the fragment first: it stays one unparseable line, the next starts clean.
 */
async function endTornLine(handle: FileHandle): Promise<FileHandle> {
  try {
    const { size } = await handle.stat();
    if (size === 0) return handle;
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    if (last[0] !== 0x0a) await handle.write('\n');
    return handle;
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}

/**
 * Open append-mode files by path, at most `maxOpen` of them idle (least recently used are
 * closed first; files in use are never closed under a writer). Operations on one file run
 * one after another, so the lines of two concurrent sends never interleave mid-write.
 * With `durable`, creating a file or directory also fsyncs its parent directory, so an
 * acknowledged line cannot vanish with a directory entry lost in a crash.
 */
export class FileHandlePool {
  private readonly entries = new Map<string, Entry>();
  private readonly knownDirs = new Set<string>();

  constructor(
    private readonly maxOpen: number,
    private readonly durable: boolean,
    /** End a torn last line on open (line formats only: a newline would corrupt a gzip file). */
    private readonly repairTornLines = true,
  ) {}

  /** Runs `operation` on the file at `path` (opened for append, created with its directories). */
  async use<T>(path: string, operation: (handle: FileHandle) => Promise<T>): Promise<T> {
    let entry = this.entries.get(path);
    if (entry) this.entries.delete(path); // re-inserted below: Map order is the LRU order
    else entry = { handle: this.openFile(path), queue: Promise.resolve(), users: 0, broken: false };
    this.entries.set(path, entry);
    entry.users++;
    const current = entry;
    const run = current.queue.then(async () => operation(await current.handle));
    current.queue = run.catch(() => undefined);
    try {
      return await run;
    } catch (error) {
      current.broken = true;
      throw error;
    } finally {
      current.users--;
      this.evict();
    }
  }

  /** fsyncs every open file. */
  async syncAll(): Promise<void> {
    await Promise.all([...this.entries.keys()].map((path) => this.use(path, (handle) => handle.sync())));
  }

  /** Waits for pending operations, then closes every file. */
  async closeAll(): Promise<void> {
    const entries = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(entries.map((entry) => this.closeEntry(entry)));
  }

  private evict(): void {
    for (const [path, entry] of this.entries) {
      if (entry.users > 0) continue;
      if (!entry.broken && this.entries.size <= this.maxOpen) continue;
      this.entries.delete(path);
      void this.closeEntry(entry);
    }
  }

  private async closeEntry(entry: Entry): Promise<void> {
    await entry.queue;
    const handle = await entry.handle.catch(() => undefined);
    await handle?.close().catch(() => undefined);
  }

  private async openFile(path: string): Promise<FileHandle> {
    const dir = dirname(path);
    if (!this.knownDirs.has(dir)) {
      const created = await mkdir(dir, { recursive: true });
      if (created !== undefined && this.durable) await this.syncCreatedChain(created, dir);
      this.knownDirs.add(dir);
    }
    const existing = async (): Promise<FileHandle> => {
      const handle = await open(path, 'a+');
      return this.repairTornLines ? endTornLine(handle) : handle;
    };
    if (!this.durable) return existing();
    try {
      const handle = await open(path, 'ax');
      await syncDirectory(dir);
      return handle;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return existing();
      throw error;
    }
  }

  /** After `mkdir -p` created `first` .. `last`: fsync the parent of each new directory. */
  private async syncCreatedChain(first: string, last: string): Promise<void> {
    let dir = last;
    const parents: string[] = [];
    while (dir.length >= first.length) {
      parents.push(dirname(dir));
      if (dir === first || dirname(dir) === dir) break;
      dir = dirname(dir);
    }
    for (const parent of parents.reverse()) await syncDirectory(parent);
  }
}
