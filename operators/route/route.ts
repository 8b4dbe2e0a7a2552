import { Observable, type OperatorFunction } from 'rxjs';
import type { Batch } from '../../src/core/batch';
import type { EventHooks } from '../../src/core/event-hooks';
import { compilePredicate, type ConditionSpec, type EventPredicate } from '../transform/conditions';
import { operate } from '../operate';
import { UNMATCHED, type OutputBatch } from './outputs';

/** One named output and the events it takes. */
export interface Route {
  readonly output: string;
  readonly matches: EventPredicate;
}

/** How {@link route} sends events to its outputs. */
export interface RouteOptions {
  /** `first` (default): an event leaves by the first route it matches, in order; `all`: by every route it matches. */
  readonly match?: 'first' | 'all';
  /** `onError`: a route's predicate threw on an event (that route counts as not matched). */
  readonly hooks?: EventHooks;
}

/**
 * Routes compiled, in order, from one condition per output: the condition language and
 * compiled form `filter` uses (a field test or an `any` / `all` / `not` group). An invalid
 * condition is a `ConfigError` naming it (`routes.errors.matches`).
 */
export function compileRoutes(routes: Readonly<Record<string, ConditionSpec>>): Route[] {
  return Object.entries(routes).map(([output, spec]) => ({ output, matches: compilePredicate(spec, `routes.${output}`) }));
}

/**
 * Sends each event to the named output(s) whose condition it matches, and the events no
 * route matched to `_unmatched`: nothing is dropped here. Each input batch leaves as at
 * most one batch per output, in route order, each under a pick of the input's ack
 * (`Ack.pick`), so a failure downstream names the right events of the original batch; a
 * batch whose events all take one output passes through whole. With `match: 'all'` an event
 * may leave by several outputs: those batches are marked `shared` (copy-on-write). A
 * predicate that throws counts as no match (`hooks.onError` is told), so the event still
 * reaches `_unmatched` or another route.
 *
 * ```
 * source:  --a-------|       a: [error, info, warn]   routes: errors (level error), warns (level warn)
 * result:  --(xyz)---|       x: errors [error], y: warns [warn], z: _unmatched [info]
 * ```
 *
 * @example
 * import { compileRoutes, route } from 'sluice';
 * const byLevel = route(compileRoutes({ errors: { field: 'level', equals: 'error' } }));
 *
 * @see splitOutputs
 * @see filterByConditions
 */
export function route(routes: readonly Route[], options: RouteOptions = {}): OperatorFunction<Batch, OutputBatch> {
  const everyMatch = options.match === 'all';
  const onError = options.hooks?.onError;
  const outputs = [...routes.map((r) => r.output), UNMATCHED];
  if (new Set(outputs).size !== outputs.length) throw new RangeError(`route: output names must be unique and not "${UNMATCHED}"`);
  const tests = routes.map((r) => r.matches);
  return (source) =>
    new Observable<OutputBatch>((subscriber) => {
      const emit = (batch: Batch, picks: ReadonlyArray<number[] | undefined>, several: boolean): void => {
        const total = batch.events.length;
        const whole = picks.findIndex((indices) => indices?.length === total);
        if (!several && whole >= 0) return subscriber.next({ output: outputs[whole], batch });
        // Each piece takes its reference before it leaves; the input's own reference is
        // released last, so a piece settled synchronously downstream cannot settle it early.
        let left = picks.filter((indices) => indices !== undefined).length;
        for (let r = 0; r < picks.length && !subscriber.closed; r++) {
          const indices = picks[r];
          if (indices === undefined) continue;
          left -= 1;
          const piece: Batch = {
            events: indices.map((index) => batch.events[index]),
            ack: batch.ack.pick(indices),
            bytes: Math.round((batch.bytes * indices.length) / total),
            shared: several || batch.shared === true,
            meta: batch.meta,
          };
          subscriber.next({ output: outputs[r], batch: piece });
        }
        if (left > 0) batch.ack.reject(new Error('route torn down while splitting a batch'));
        else batch.ack.resolve();
      };

      const subscription = operate(source, subscriber, {
        next(batch) {
          const events = batch.events;
          if (events.length === 0) return subscriber.next({ output: UNMATCHED, batch });
          const picks: Array<number[] | undefined> = new Array(outputs.length);
          let several = false;
          for (let i = 0; i < events.length; i++) {
            let matched = 0;
            for (let r = 0; r < tests.length; r++) {
              let hit = false;
              try {
                hit = tests[r](events[i]);
              } catch (error) {
                onError?.(error, events[i]);
              }
              if (!hit) continue;
              (picks[r] ??= []).push(i);
              matched += 1;
              if (!everyMatch) break;
            }
            if (matched === 0) (picks[tests.length] ??= []).push(i);
            else if (matched > 1) several = true;
          }
          emit(batch, picks, several);
        },
      });

      return () => subscription.unsubscribe();
    });
}
