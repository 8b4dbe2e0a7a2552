import { cliJsonScenario } from '../cli-json';

/** `sluice run -c p.yaml < logs.ndjson`: stdin is the file (Node gives process.stdin an fs stream). */
export const scenario = cliJsonScenario('cli_stdin_json_blackhole', 'redirect');
