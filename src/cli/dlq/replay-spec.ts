import { join } from 'node:path';
import type { Observable } from 'rxjs';
import type { Batch } from '../../core/batch';
import { ConfigError } from '../../core/errors';
import type { SourceContext } from '../../components/context';
import { DlqUsageError } from './args';

type Spec = Record<string, unknown>;

const isRecord = (value: unknown): value is Spec => typeof value === 'object' && value !== null && !Array.isArray(value);
const inputsOf = (spec: Spec): string[] => (Array.isArray(spec.inputs) ? spec.inputs.filter((i): i is string => typeof i === 'string') : []);
const section = (data: Spec, key: string): Spec => (isRecord(data[key]) ? data[key] : {});

/** The components `into` feeds, directly or not, with `into` itself. */
function downstreamOf(into: string, components: ReadonlyMap<string, Spec>): Set<string> {
  const kept = new Set([into]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [id, spec] of components) {
      if (kept.has(id) || !inputsOf(spec).some((input) => kept.has(input))) continue;
      kept.add(id);
      grew = true;
    }
  }
  return kept;
}

/** Takes `dead_letter` transforms out of the graph: their readers read their inputs instead. */
function bypassDeadLetters(transforms: Map<string, Spec>, sinks: Map<string, Spec>): void {
  for (const [id, spec] of [...transforms]) {
    if (spec.type !== 'dead_letter') continue;
    transforms.delete(id);
    for (const reader of [...transforms.values(), ...sinks.values()]) {
      const inputs = inputsOf(reader);
      if (inputs.includes(id)) reader.inputs = [...new Set(inputs.flatMap((input) => (input === id ? inputsOf(spec) : [input])))];
    }
  }
}

/**
 * The one-shot pipeline `sluice dlq replay` runs, from a config's data: the component
 * `into` and everything downstream of it, with `into` fed by `source` instead of the
 * config's sources. Dead-letter stages are left out (`type: dead_letter` transforms
 * bypassed, sinks' `dead_letter:` blocks removed), so an entry that fails again is
 * reported and stays queued instead of being dead-lettered once more. State goes to
 * `<data_dir>/dlq_replay` and the API is off, so a pipeline running from the same config
 * is not disturbed.
 */
export function replaySpec(data: unknown, into: string, source: (context: SourceContext) => Observable<Batch>): Spec {
  if (!isRecord(data)) throw new ConfigError('a pipeline is a map with sources:, transforms: and sinks:');
  const transforms = new Map(Object.entries(section(data, 'transforms')).filter(([, spec]) => isRecord(spec)) as Array<[string, Spec]>);
  const sinks = new Map(Object.entries(section(data, 'sinks')).filter(([, spec]) => isRecord(spec)) as Array<[string, Spec]>);
  const sourceIds = Object.keys(section(data, 'sources'));
  if (sourceIds.includes(into)) throw new DlqUsageError(`"${into}" is a source; --into names a transform or a sink`);
  if (!transforms.has(into) && !sinks.has(into)) {
    throw new DlqUsageError(`no transform or sink named "${into}"; they are: ${[...transforms.keys(), ...sinks.keys()].join(', ') || 'none'}`);
  }
  const kept = downstreamOf(into, new Map([...transforms, ...sinks]));
  let sourceId = 'dlq_replay';
  while (transforms.has(sourceId) || sinks.has(sourceId) || sourceIds.includes(sourceId)) sourceId = `_${sourceId}`;
  const rewire = (components: Map<string, Spec>, isSink: boolean): Map<string, Spec> => {
    const out = new Map<string, Spec>();
    for (const [id, spec] of components) {
      if (!kept.has(id)) continue;
      const copy: Spec = { ...spec, inputs: id === into ? [sourceId] : inputsOf(spec).filter((input) => kept.has(input)) };
      if (isSink) delete copy.dead_letter;
      out.set(id, copy);
    }
    return out;
  };
  const keptTransforms = rewire(transforms, false);
  const keptSinks = rewire(sinks, true);
  bypassDeadLetters(keptTransforms, keptSinks);
  const dataDir = typeof data.data_dir === 'string' ? data.data_dir : 'data';
  const settings = Object.fromEntries(Object.entries(data).filter(([key]) => !['sources', 'transforms', 'sinks'].includes(key)));
  return {
    ...settings,
    data_dir: join(dataDir, 'dlq_replay'),
    api: { enabled: false },
    sources: { [sourceId]: { source } },
    ...(keptTransforms.size > 0 ? { transforms: Object.fromEntries(keptTransforms) } : {}),
    sinks: Object.fromEntries(keptSinks),
  };
}
