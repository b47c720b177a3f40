import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliPath, isAlive, runCli, signalProcess } from '../support/processes.js';
import { waitFor } from '../support/redis.js';

describe('headless master', () => {
  it('runs workers on embedded Redis and leaves nothing behind', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'dtq-headless-'));
    const dataDir = join(folder, '.dtq');
    const env = { ...process.env, REDIS_URL: '' };
    const master = spawn(process.execPath, [cliPath, '--no-ui', '--workers', '2', '--data-dir', dataDir], { cwd: folder, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    master.stdout.on('data', (data) => (output += data));
    master.stderr.on('data', (data) => (output += data));
    const exited = new Promise<number | null>((resolve) => master.on('exit', (code) => resolve(code)));

    try {
      expect(await waitFor(() => existsSync(join(dataDir, 'redis.json')), 15_000)).toBe(true);
      const { pid: redisPid } = JSON.parse(readFileSync(join(dataDir, 'redis.json'), 'utf8')) as { pid: number };
      const cli = (args: string[]) => runCli([...args, '--data-dir', dataDir], { REDIS_URL: '' });
      const status = () => {
        const result = cli(['status', '--json']);
        return result.code === 0 ? (JSON.parse(result.stdout) as { workerCount: number; stats: { completed?: number } }) : undefined;
      };
      expect(await waitFor(() => status()?.workerCount === 2, 15_000)).toBe(true);

      const enqueue = cli(['enqueue', 'sleep', '--payload', '{"ms":5}', '--count', '100']);
      expect(enqueue.stdout).toContain('enqueued 100 task(s) sleep');
      expect(await waitFor(() => status()?.stats.completed === 100, 20_000)).toBe(true);
      const workerPids = (JSON.parse(cli(['status', '--json']).stdout) as { workers: Array<{ pid: number }> }).workers.map((worker) => worker.pid);
      expect(workerPids).toHaveLength(2);

      master.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(isAlive(redisPid)).toBe(false);
      for (const pid of workerPids) expect(isAlive(pid)).toBe(false);
      expect(existsSync(join(dataDir, 'redis.json'))).toBe(false);
      expect(output).toContain('"event":"stopped"');
    } finally {
      signalProcess(master.pid ?? 0, 'SIGKILL');
    }
  });
});
