import type { KeyedCheckpoint } from '../checkpoint';
import { statOpen, type FileReader } from './file-reader';
import { fingerprint, identityKey, matchSaved, readHead, type FileIdentity } from './identity';

/** Where a file identified by {@link resolveIdentity} starts. */
export interface Resolved {
  readonly identity: FileIdentity;
  readonly start: number;
}

/**
 * Learns who an open file is. An identity saved by an earlier run at the same place whose
 * fingerprint the file still has resumes at its checkpoint. Otherwise it is a new file (an
 * inode reused, or rewritten while sluice was down: the stale keys are forgotten) starting at
 * `reader.startAt`, registered with the checkpoint there. An empty file has nothing to be
 * identified by yet: undefined, and it is tried again when it grows.
 */
export async function resolveIdentity(reader: FileReader, fd: number, saved: readonly FileIdentity[], checkpoint: KeyedCheckpoint, fingerprintBytes: number): Promise<Resolved | undefined> {
  const { size } = await statOpen(fd);
  if (size === 0) return undefined;
  const wanted = saved.reduce((most, candidate) => Math.max(most, candidate.length), fingerprintBytes);
  const head = await readHead(fd, Math.min(size, wanted));
  const match = matchSaved(head, saved);
  const committed = match === undefined ? undefined : checkpoint.committed(identityKey(match));
  // A plain file shorter than its checkpoint was truncated while sluice was down (a .gz counts decompressed bytes).
  if (match !== undefined && committed !== undefined && (reader.gzip || committed <= size)) return { identity: match, start: committed };
  for (const candidate of saved) checkpoint.forget(identityKey(candidate));
  const length = Math.min(fingerprintBytes, head.length);
  const identity = { place: reader.place, length, hash: fingerprint(head.subarray(0, length)) };
  const start = Math.min(reader.startAt, size);
  checkpoint.begin(identityKey(identity), start);
  return { identity, start };
}

/** Whether the file still starts with the bytes its identity was taken from (not truncated, not rewritten). */
export async function stillSame(fd: number, identity: FileIdentity): Promise<boolean> {
  const head = await readHead(fd, identity.length);
  return head.length === identity.length && fingerprint(head) === identity.hash;
}
