import { crc32c } from './crc32c';

/**
 * The on-disk format of the write-ahead log, version 1. All integers little-endian.
 *
 * A segment file starts with a 16-byte header:
 *
 * | offset | size | field                                  |
 * | ------ | ---- | -------------------------------------- |
 * | 0      | 8    | magic `SLWALSEG`                       |
 * | 8      | 4    | format version (1)                     |
 * | 12     | 4    | reserved (0)                           |
 *
 * then records, back to back, each a 20-byte header and its payload:
 *
 * | offset | size | field                                                  |
 * | ------ | ---- | ------------------------------------------------------ |
 * | 0      | 4    | sync marker `FF FE 52 43`: never valid UTF-8, so never |
 * |        |      | inside a JSON payload; lets a reader resync            |
 * | 4      | 4    | CRC-32C over bytes 8..20 of the header and the payload |
 * | 8      | 4    | payload length                                         |
 * | 12     | 8    | sequence number (below 2^53)                           |
 * | 20     | n    | payload (the sluice buffer writes a batch's events as  |
 * |        |      | one JSON array)                                        |
 */
export const FORMAT_VERSION = 1;
export const SEGMENT_MAGIC = Buffer.from('SLWALSEG', 'latin1');
export const SEGMENT_HEADER_SIZE = 16;
export const RECORD_MAGIC = Buffer.from([0xff, 0xfe, 0x52, 0x43]);
export const RECORD_HEADER_SIZE = 20;
/** Largest payload a reader accepts; a longer length field is corruption. */
export const MAX_PAYLOAD_BYTES = 1024 * 1024 * 1024;

const MAGIC_WORD = RECORD_MAGIC.readUInt32LE(0);
const TWO_32 = 2 ** 32;

/** A fresh segment header. */
export function segmentHeader(): Buffer {
  const header = Buffer.alloc(SEGMENT_HEADER_SIZE);
  SEGMENT_MAGIC.copy(header, 0);
  header.writeUInt32LE(FORMAT_VERSION, 8);
  return header;
}

/** True when `bytes` start with a segment header this code can read. */
export function isSegmentHeader(bytes: Buffer): boolean {
  return bytes.length >= SEGMENT_HEADER_SIZE && bytes.subarray(0, 8).equals(SEGMENT_MAGIC) && bytes.readUInt32LE(8) === FORMAT_VERSION;
}

/** The header of record `seq` carrying `payload` (written before it, with one `writev`). */
export function encodeRecordHeader(seq: number, payload: Uint8Array): Buffer {
  if (!Number.isSafeInteger(seq) || seq < 0) throw new RangeError(`wal: invalid sequence number ${seq}`);
  const header = Buffer.allocUnsafe(RECORD_HEADER_SIZE);
  RECORD_MAGIC.copy(header, 0);
  header.writeUInt32LE(payload.length, 8);
  header.writeUInt32LE(seq % TWO_32, 12);
  header.writeUInt32LE(Math.floor(seq / TWO_32), 16);
  header.writeUInt32LE(crc32c(payload, crc32c(header.subarray(8, RECORD_HEADER_SIZE))), 4);
  return header;
}

/** What a record header says, before its payload is checked. */
export interface RecordHeader {
  readonly seq: number;
  readonly length: number;
  readonly crc: number;
}

/** Reads the record header at `offset` of `bytes`; undefined when the marker or length is wrong. */
export function readRecordHeader(bytes: Buffer, offset: number): RecordHeader | undefined {
  if (bytes.readUInt32LE(offset) !== MAGIC_WORD) return undefined;
  const length = bytes.readUInt32LE(offset + 8);
  if (length > MAX_PAYLOAD_BYTES) return undefined;
  const seq = bytes.readUInt32LE(offset + 12) + bytes.readUInt32LE(offset + 16) * TWO_32;
  if (!Number.isSafeInteger(seq)) return undefined;
  return { seq, length, crc: bytes.readUInt32LE(offset + 4) };
}

/** True when the payload matches the CRC of the header at `offset` of `bytes`. */
export function recordIntact(bytes: Buffer, offset: number, header: RecordHeader, payload: Uint8Array): boolean {
  const fields = bytes.subarray(offset + 8, offset + RECORD_HEADER_SIZE);
  return crc32c(payload, crc32c(fields)) === header.crc;
}
