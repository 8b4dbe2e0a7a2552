import { createHash } from 'node:crypto';
import { read } from 'node:fs';

/**
 * Who a file is, independent of its name: the device and inode it lives on plus a
 * fingerprint of its first bytes. The inode follows a file across renames (rotation by
 * `mv`); the fingerprint tells a reused inode (a new file created after the old one was
 * deleted) and a file rewritten in place (truncated, then written larger) from the file
 * that was read before.
 *
 * The fingerprint covers `min(fingerprint_bytes, size)` bytes, measured when the file is
 * first read, and that length is part of the identity: a short file is identified at once
 * by what it has, instead of waiting until it holds `fingerprint_bytes`, and keeps its
 * identity as it grows (a restart re-hashes exactly that many bytes to recognise it).
 */
export interface FileIdentity {
  /** `dev:ino`: the file's place on disk, the key readers are held by. */
  readonly place: string;
  /** Bytes the fingerprint covers. */
  readonly length: number;
  readonly hash: string;
}

/** The checkpoint key of an identity: `dev:ino:length:hash`. */
export function identityKey(identity: FileIdentity): string {
  return `${identity.place}:${identity.length}:${identity.hash}`;
}

/** The identity a checkpoint key names, or undefined when it is not one (another source's key). */
export function parseIdentityKey(key: string): FileIdentity | undefined {
  const match = /^(\d+:\d+):(\d+):([0-9a-f]+)$/.exec(key);
  return match === null ? undefined : { place: match[1], length: Number(match[2]), hash: match[3] };
}

/** The fingerprint of a file's first bytes (a truncated SHA-256: collisions are not a concern at this size). */
export function fingerprint(head: Buffer): string {
  return createHash('sha256').update(head).digest('hex').slice(0, 16);
}

/** Reads up to `length` bytes from the start of an open file. */
export function readHead(fd: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  return new Promise((resolve, reject) => {
    const step = (filled: number): void => {
      if (filled >= length) return resolve(buffer);
      read(fd, buffer, filled, length - filled, filled, (error, bytesRead) => {
        if (error) return reject(error);
        if (bytesRead === 0) return resolve(buffer.subarray(0, filled));
        step(filled + bytesRead);
      });
    };
    step(0);
  });
}

/**
 * The saved identity (among `candidates`, all at the same `dev:ino`) whose fingerprint the
 * file's current `head` still has: the file read before, resumed at its checkpoint. None
 * matching means the inode was reused, or the file rewritten.
 */
export function matchSaved(head: Buffer, candidates: readonly FileIdentity[]): FileIdentity | undefined {
  for (const candidate of candidates) {
    if (candidate.length > head.length) continue;
    if (fingerprint(head.subarray(0, candidate.length)) === candidate.hash) return candidate;
  }
  return undefined;
}
