import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeadLetterEntry } from '../../../src/dlq/entry';
import type { DeadLetterStore } from '../../../src/dlq/store';

/** A fresh queue directory path (not created: the store creates it on first append). */
export function queueDir(): string {
  return join(mkdtempSync(join(tmpdir(), 'sluice-dlq-')), 'queue');
}

/** A fixed recent time (a queue's default max_age is 7 days, measured with the real clock). */
export const RECENT = Math.floor(Date.now() / 1000) * 1000;

/** An entry for an event `{ message }`, dead-lettered at `timeMs` (epoch ms). */
export function entry(message: string, timeMs = RECENT, error = 'writing /x failed: ENOTDIR'): DeadLetterEntry {
  return { time: new Date(timeMs).toISOString(), component: 'archive', error, attempts: 1, event: { message } };
}

/** Entries for messages `prefix0` .. `prefix<count-1>`. */
export function entries(count: number, prefix = 'e', timeMs?: number): DeadLetterEntry[] {
  return Array.from({ length: count }, (_, i) => entry(`${prefix}${i}`, timeMs));
}

/** The messages of every unconsumed entry, in order. */
export async function queuedMessages(store: DeadLetterStore): Promise<string[]> {
  return (await store.read()).map(({ entry: stored }) => String(stored.event.message));
}

/** The segment file names in `dir`, oldest first. */
export function segmentFiles(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.startsWith('segment-')).sort();
}
