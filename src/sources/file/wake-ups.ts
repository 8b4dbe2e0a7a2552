import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';

/**
 * fs.watch on the directories that hold tailed files, used only to wake the tail early:
 * a change to a known file queues it for reading, anything else (a file created, renamed
 * or deleted) asks for a scan. Polling on `scan_interval` runs regardless, so a directory
 * that cannot be watched (too many inotify watches, a network filesystem) loses nothing
 * but latency.
 */
export class WakeUps {
  private readonly watchers = new Map<string, FSWatcher>();
  private closed = false;

  constructor(private readonly onEvent: (path: string | undefined, kind: 'change' | 'rename') => void) {}

  /** Watches `dir` unless it already is (or cannot be). */
  add(dir: string): void {
    if (this.closed || this.watchers.has(dir)) return;
    try {
      const watcher = watch(dir, { persistent: false }, (kind, name) => this.onEvent(name === null ? undefined : join(dir, name), kind === 'change' ? 'change' : 'rename'));
      // A watched directory removed, or the watch lost: polling carries on alone for it.
      watcher.on('error', () => this.remove(dir));
      this.watchers.set(dir, watcher);
    } catch {
      // ENOENT (not there yet), ENOSPC (inotify limit): polling covers it.
    }
  }

  private remove(dir: string): void {
    this.watchers.get(dir)?.close();
    this.watchers.delete(dir);
  }

  close(): void {
    this.closed = true;
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
  }
}
