// A whole pipeline in TypeScript, with the custom stage inside and a scripted sink at the end,
// run in virtual time. In your project the imports are 'sluice', 'sluice/testing' and
// './drop-health-checks'.
import { pipeline } from '../../../src';
import { DEFAULT_EPOCH_MS, runPipeline, ScriptedSink } from '../../../src/testing';
import { dropHealthChecks } from './drop-health-checks';

const spec = pipeline({
  sources: { access: { type: 'http' } }, // swapped for an in-memory input: no port is opened
  transforms: {
    parsed: { type: 'json', inputs: ['access'] },
    no_probes: { operator: dropHealthChecks(), inputs: ['parsed'] },
  },
  sinks: {
    archive: {
      type: 'file',
      inputs: ['no_probes'],
      path: 'data/access/%Y-%m-%d.ndjson',
      retry: { initial: '1s', max: '1m', jitter: 0 },
      circuit_breaker: { failure_threshold: 3, reset_timeout: '30s' },
      dead_letter: {},
    },
  },
});

describe('the access pipeline', () => {
  it('waits out an archive outage (retry, then the breaker) and dead-letters the event it refuses', async () => {
    const archive = new ScriptedSink().failNext(4).failEvents({ field: 'status', equals: 413 });
    const run = await runPipeline(spec, {
      inputs: { access: [{ message: '{"path":"/orders","status":200}' }, { message: '{"path":"/healthz","status":200}' }, { message: '{"path":"/upload","status":413}' }] },
      sinks: { archive },
    });
    expect(run.output('archive').map((event) => event.path)).toEqual(['/orders']);
    expect(run.counts.deadLettered).toEqual({ archive: 1 });
    // Sends at 0, 1 s and 3 s open the breaker; its trial at 33 s fails, the next at 63 s delivers.
    expect(archive.sends.map((send) => send.at - DEFAULT_EPOCH_MS)).toEqual([0, 1_000, 3_000, 33_000, 63_000]);
    expect(run.acks.summary()).toEqual({ 'access#0': `resolved@${DEFAULT_EPOCH_MS + 63_000}` });
  });
});
