import { Ack } from '../../../src/core/ack';
import { rangeFailure } from '../../../src/core/ack-failures';
import { BatchDeliveryError, type FailedEvent } from '../../../src/core/errors';

/**
 * `count` consecutive events of one input batch, from its index `at`, that went into one
 * merged event. Each segment holds one reference of its batch's ack until the merged event
 * it belongs to settles.
 */
export interface Segment {
  readonly ack: Ack;
  readonly at: number;
  count: number;
}

/** The events of `segment` all failed as `failure` says (keeping its retryability and attempts). */
function failSegment(segment: Segment, failure: FailedEvent): void {
  const failures = new Array<FailedEvent>(segment.count);
  for (let i = 0; i < segment.count; i++) failures[i] = { ...failure, index: segment.at + i };
  segment.ack.reject(new BatchDeliveryError(failures, segment.at + segment.count));
}

/**
 * One ack for a batch of merged events: event `k` of the output stands for every input
 * event of `groups[k]`. When it settles, each segment's reference settles with the fate of
 * the merged event it went into: a delivered event resolves all of its lines, a failed one
 * fails all of them (by their own indices, so a source retries or dead-letters exactly those),
 * and a failure naming no events fails every line. This is `Ack.all` for an N-to-1 mapping,
 * where `Ack.all` maps events one to one.
 */
export function groupAck(groups: readonly (readonly Segment[])[]): Ack {
  return Ack.create((outcome) => {
    let byGroup: Map<number, FailedEvent> | undefined;
    const reason = outcome.ok ? undefined : outcome.reason;
    if (reason instanceof BatchDeliveryError) {
      byGroup = new Map();
      for (const failure of reason.failures) byGroup.set(failure.index, failure);
    }
    let thrown: { error: unknown } | undefined;
    for (let k = 0; k < groups.length; k++) {
      const failure = byGroup === undefined ? undefined : byGroup.get(k);
      for (const segment of groups[k]) {
        try {
          if (reason === undefined || (byGroup !== undefined && failure === undefined)) segment.ack.resolve();
          else if (failure !== undefined) failSegment(segment, failure);
          else segment.ack.reject(rangeFailure(reason, segment.at, segment.count));
        } catch (error) {
          // Settle every other segment before surfacing the bug (a listener of one source threw).
          thrown ??= { error };
        }
      }
    }
    if (thrown) throw thrown.error;
  });
}

/** Rejects every segment's reference: their events were held when the stage went away. */
export function rejectSegments(segments: readonly Segment[], reason: Error): void {
  for (const segment of segments) segment.ack.reject(rangeFailure(reason, segment.at, segment.count));
}
