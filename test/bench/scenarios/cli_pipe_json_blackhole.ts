import { cliJsonScenario } from '../cli-json';

/** `cat logs.ndjson | sluice run -c p.yaml`: stdin is a pipe (Node gives process.stdin a socket). */
export const scenario = cliJsonScenario('cli_pipe_json_blackhole', 'pipe');
