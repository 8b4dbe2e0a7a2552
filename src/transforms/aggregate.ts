import { duration, integer, list, object, oneOf, optional, string, type SchemaIssue } from '../config/schema';
import { defineTransform } from '../components/define';
import { aggregate } from '../../operators/aggregate/aggregate';
import { STAT_NAMES } from '../../operators/aggregate/stats';

const statShape = object(
  {
    field: string({ description: 'Dotted path of a numeric field (numbers, or strings holding one; other values are skipped).', example: 'duration_ms' }),
    stats: list(oneOf(STAT_NAMES, { description: 'A statistic.' }), {
      description: 'What to report of it: count, sum, min, max, mean, p50, p95, p99 (quantiles from a DDSketch, within 1 % relative accuracy).',
      default: [...STAT_NAMES],
      example: ['count', 'mean', 'p99'],
      minItems: 1,
    }),
  },
  { description: 'A numeric field and the statistics wanted of it.' },
);

const topShape = object(
  {
    field: string({ description: 'Dotted path of the field whose values are counted.', example: 'path' }),
    limit: integer({ description: 'How many of the most frequent values to list.', default: 10, min: 1, max: 10_000 }),
    max_distinct: integer({
      description: 'Most distinct values counted per window and key; later new values count only in `others`, so memory stays bounded.',
      default: 10_000,
      min: 1,
    }),
  },
  { description: 'A field whose most frequent values are listed with their counts.' },
);

/** The `aggregate` transform: windowed summaries on event time. */
export const aggregateTransform = defineTransform({
  type: 'aggregate',
  summary:
    'Summarises events per event-time window (tumbling or sliding) and key: count, numeric statistics with p50/p95/p99, top-N values; one summary event per window and key when the window closes.',
  options: {
    window: duration({ description: 'Window length in event time; windows are aligned to the epoch (hourly windows start on the hour).', example: '1h', min: 1 }),
    slide: optional(duration({ description: 'Start a window this often for sliding windows (at most the window, at least window / 1000); tumbling when unset.', example: '5m', min: 1 })),
    allowed_lateness: duration({
      description: 'How far behind the latest event time an event may arrive and still count; a window closes only once event time passes its end by this much. Later events are dropped and counted (reason `late`).',
      default: 0,
      example: '30s',
      min: 0,
    }),
    timestamp_field: string({ description: 'The event-time field: ISO-8601 text or epoch milliseconds. Events without one are dropped and counted (reason `no_timestamp`).', default: 'timestamp' }),
    group_by: list(string({ description: 'A dotted field path.' }), { description: 'Fields whose values key the summaries: one summary per window and combination, carrying those fields.', default: [], example: ['service', 'http.status'] }),
    stats: list(statShape, { description: 'Numeric fields to summarise, reported under `stats.<field>`.', default: [], example: [{ field: 'duration_ms', stats: ['mean', 'p95', 'p99'] }] }),
    top: list(topShape, { description: 'Fields whose most frequent values are reported under `top.<field>` as `{values: [{value, count}], others}`.', default: [], example: [{ field: 'path', limit: 20 }] }),
    max_groups: integer({ description: 'Most (window, key) groups open at once; an event that would open another is dropped and counted (reason `groups_full`).', default: 100_000, min: 1 }),
    acknowledge: oneOf(['on_consume', 'on_summary'] as const, {
      description:
        '`on_consume`: inputs are acknowledged once counted (a crash loses the open windows; credit never waits for a window). `on_summary`: inputs are held until their windows\' summaries are delivered (the sources\' `max_in_flight_events` must cover a window\'s events, or reading stalls until the window closes on the clock).',
      default: 'on_consume',
      example: 'on_summary',
    }),
  },
  example: { window: '1m', group_by: ['level'] },
  check(config) {
    const issues: SchemaIssue[] = [];
    if (config.slide !== undefined && config.slide > config.window) issues.push({ path: ['slide'], message: `must not exceed the window (${config.window}ms), got ${config.slide}ms` });
    else if (config.slide !== undefined && config.window / config.slide > 1000) issues.push({ path: ['slide'], message: 'each event would join more than 1000 windows: raise the slide to at least window / 1000' });
    return issues;
  },
  create(config, ctx) {
    return aggregate({
      windowMs: config.window,
      slideMs: config.slide,
      allowedLatenessMs: config.allowed_lateness,
      timestampField: config.timestamp_field,
      groupBy: config.group_by,
      stats: config.stats,
      top: config.top.map((top) => ({ field: top.field, limit: top.limit, maxDistinct: top.max_distinct })),
      maxGroups: config.max_groups,
      acknowledge: config.acknowledge,
      scheduler: ctx.scheduler,
      hooks: { onRefused: (reason, count) => ctx.metrics.discard(reason, count), onError: ctx.hooks.onError },
    });
  },
});
