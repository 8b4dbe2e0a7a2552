/** The dead-letter queue: an on-disk store of events whose delivery failed permanently. */
export type { DlqCaps, DlqDiscardReason } from './caps';
export { comparePositions, decodeEntry, encodeEntry, type DeadLetterEntry, type DlqPosition, type StoredEntry } from './entry';
export { failedEntries, type FailureContext } from './failed';
export type { DlqReadResult, DlqStats } from './reader';
export { replayDeadLetters, type ReplayableQueue, type ReplayOptions } from './replay';
export { DeadLetterStore, DLQ_DEFAULTS, type DeadLetterSink, type DeadLetterStoreOptions } from './store';
