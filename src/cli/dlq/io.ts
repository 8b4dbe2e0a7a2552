/** Where `sluice dlq` writes: the process's streams in `main`, buffers in tests. */
export interface DlqIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  /** Draw a progress bar (stderr is a terminal) rather than print progress lines. */
  readonly interactive: boolean;
}

/** The process's own streams. */
export function processIo(): DlqIo {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    env: process.env,
    interactive: process.stderr.isTTY === true,
  };
}
