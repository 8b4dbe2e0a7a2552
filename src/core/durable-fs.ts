import { mkdir, open, rename } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * fsyncs a directory, so that entries created, renamed or deleted in it survive a crash
 * (a file's own fsync does not make its name durable).
 */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Creates `dir` (and parents) and makes every directory it created durable. */
export async function makeDirectoryDurably(dir: string): Promise<void> {
  const created = await mkdir(dir, { recursive: true });
  if (created === undefined) return;
  for (let current = resolve(dir); ; current = dirname(current)) {
    await syncDirectory(dirname(current));
    if (current === resolve(created) || current === dirname(current)) break;
  }
}

/**
 * Replaces `file` so that a crash leaves either the old or the new content, never a mix:
 * write a temporary file, fsync it, rename it over, fsync the directory. Checkpoints and
 * cursors (the positions that decide what is replayed) are all written this way.
 */
export async function writeFileAtomically(file: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(file);
  await makeDirectoryDurably(dir);
  const tmp = `${file}.tmp`;
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
  await syncDirectory(dir);
}
