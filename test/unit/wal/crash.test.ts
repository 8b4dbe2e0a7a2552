import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { closeOpened, openWal, readAll, tempDir } from './helpers';

const ROOT = join(__dirname, '..', '..', '..');
const WRITER = join(__dirname, 'fixtures', 'crash-writer.ts');

/** Runs the crash writer until it has acknowledged `count` records, then SIGKILLs it; returns those. */
function writeUntilKilled(dir: string, count: number): Promise<Set<number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', WRITER, dir, '20'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const acked = new Set<number>();
    let pending = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line !== '') acked.add(Number(line));
      if (acked.size >= count) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(acked) : reject(new Error(`writer exited ${code}: ${stderr}`))));
  });
}

describe('Wal after kill -9', () => {
  afterEach(closeOpened);

  it('replays every record it acknowledged before the process was killed', async () => {
    const dir = tempDir();
    const acked = await writeUntilKilled(dir, 500);
    const { wal } = openWal(dir);
    const replayed = readAll(wal);
    const seqs = new Set(replayed.map(([seq]) => seq));
    const lost = [...acked].filter((seq) => !seqs.has(seq));
    expect(lost).toEqual([]);
    for (const [seq, text] of replayed) expect(text).toBe(`record-${seq}-`.padEnd(200, 'x'));
    expect(appendAllAfter(wal, replayed.at(-1)?.[0] ?? -1)).toBe(true);
  }, 60_000);
});

/** New records are numbered after everything replayed. */
function appendAllAfter(wal: ReturnType<typeof openWal>['wal'], last: number): boolean {
  return wal.append(Buffer.from('after'), undefined, () => undefined) > last;
}
