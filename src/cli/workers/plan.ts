import { IssueCollector } from '../../config/schema';
import { readYamlConfig } from '../../config/yaml';
import { settingsSchema, type PipelineSettingsConfig } from '../../graph/settings';
import { workerCount } from './shard-env';

/** What the primary needs of the config: its settings and whether a source reads stdin. */
export interface WorkersPlan {
  readonly count: number;
  readonly settings: PipelineSettingsConfig;
  readonly readsStdin: boolean;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads only the YAML and its top-level settings, not the graph: the primary runs no
 * component, so it never loads their modules (about a second of start-up that would come
 * before the workers even start). Undefined when the run is a single process, or when the
 * config does not read cleanly: the ordinary path then runs and reports every problem.
 * The graph is validated by the workers; worker 0 prints the problems (exit 2).
 */
export function workersPlan(file: string, env: NodeJS.ProcessEnv): WorkersPlan | undefined {
  let data: unknown;
  try {
    const loaded = readYamlConfig(file, env);
    if (loaded.issues.length > 0) return undefined;
    data = loaded.data;
  } catch {
    return undefined;
  }
  if (!isRecord(data)) return undefined;
  const issues = new IssueCollector();
  const settings = settingsSchema.parse(data, [], issues);
  if (settings === undefined || issues.issues.length > 0) return undefined;
  const count = workerCount(settings.workers);
  if (count <= 1) return undefined;
  const sources = isRecord(data.sources) ? Object.values(data.sources) : [];
  const readsStdin = sources.some((source) => isRecord(source) && source.type === 'stdin');
  return { count, settings, readsStdin };
}
