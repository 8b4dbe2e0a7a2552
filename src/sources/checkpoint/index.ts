/** Source positions committed over acknowledged ranges; see {@link Committer}. */
export type { Committer } from './committer';
export { ContiguousRanges } from './contiguous-ranges';
export { CHECKPOINT_FILE, CHECKPOINT_VERSION, CheckpointError, formatCheckpoint, parseCheckpoint, SINGLE_KEY } from './format';
export { KeyedCheckpoint, type CheckpointOptions } from './keyed';
export { Checkpoint } from './single';
