import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Counter } from 'prom-client';
import { Pipeline, PipelineMetrics, type PipelineSpec } from '../../src/index';
import { timed } from './scenario';

/** A finished pipeline run: how long `run()` took, and the pipeline's metrics registry. */
export interface PipelineRun {
  readonly durationMs: number;
  readonly cpuMs: number;
  readonly metrics: PipelineMetrics;
}

/** Called around `run()` only (not the set-up and clean-up of the data directory): what a scenario samples meanwhile. */
export interface RunWatch {
  started(): void;
  finished(): void;
}

/**
 * Runs a spec through the real `Pipeline` (validation, graph build, credit, batch → deliver)
 * and times `run()` from start until every source completed and every sink drained and
 * closed. Declare the spec with `pipeline({...})` so its names are type-checked. The API server is off and state goes to a temporary `data_dir`, removed after.
 */
export async function runPipeline(spec: PipelineSpec, watch?: RunWatch): Promise<PipelineRun> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sluice-bench-'));
  try {
    const metrics = new PipelineMetrics();
    const pipeline = Pipeline.create({ ...spec, data_dir: dataDir, api: { enabled: false } }, { metrics });
    const { durationMs, cpuMs } = await timed(async () => {
      watch?.started();
      try {
        await pipeline.run();
      } finally {
        watch?.finished();
      }
    });
    return { durationMs, cpuMs, metrics };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** One component's value of a counter family (`metrics.sentEvents`, `metrics.sentBytes`, ...). */
export async function componentCount(family: Counter<string>, componentId: string): Promise<number> {
  const { values } = await family.get();
  return values.filter((value) => value.labels.component_id === componentId).reduce((sum, value) => sum + value.value, 0);
}
