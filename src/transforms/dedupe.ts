import { duration, integer, list, optional, string } from '../config/schema';
import { defineTransform } from '../components/define';
import { dedupe } from '../../operators/transform/dedupe';
import { configProblems } from '../../operators/transform/field-paths';

/** The `dedupe` transform: drops events whose fields equal a recently seen event's. */
export const dedupeTransform = defineTransform({
  type: 'dedupe',
  summary: 'Drops events whose chosen fields equal those of a recently seen event (bounded LRU with a TTL); drops are acknowledged and counted.',
  options: {
    fields: list(string({ description: 'A dotted path.' }), {
      description: 'The fields whose values together identify an event. Events holding none of them are always kept.',
      default: ['timestamp', 'host', 'message'],
      example: ['message', 'host'],
      minItems: 1,
    }),
    max_entries: integer({ description: 'Most keys remembered; the least recently seen is forgotten first.', default: 10_000, example: 100_000, min: 1, max: 10_000_000 }),
    ttl: optional(duration({ description: 'Forget a key this long after it was last seen (each duplicate refreshes it); by default only `max_entries` bounds memory.', example: '10m', min: 1 })),
  },
  example: { fields: ['message'], ttl: '1m' },
  check: (config) => configProblems(() => dedupe({ fields: config.fields, maxEntries: config.max_entries, ttlMs: config.ttl })),
  create(config, ctx) {
    return dedupe(
      { fields: config.fields, maxEntries: config.max_entries, ttlMs: config.ttl, scheduler: ctx.scheduler },
      { onError: ctx.hooks.onError, onDiscard: (count) => ctx.metrics.discard('deduplicated', count) },
    );
  },
});
