import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { spawn as spawnPty, type IPty } from 'node-pty';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshQueueName, startTestRedis } from './support/redis.js';
import { isAlive } from './support/processes.js';

const cliPath = join(process.cwd(), 'dist', 'src', 'cli.js');

/** The environment of a user's terminal: no CI variables, which make Ink and the console refuse to draw. */
function terminalEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined || name === 'CI' || name.startsWith('CI_') || name === 'CONTINUOUS_INTEGRATION') continue;
    env[name] = value;
  }
  return { ...env, TERM: 'xterm-256color', NO_COLOR: '1' };
}

/** The console running in a pseudo-terminal, read back as the text of its latest frame. */
class ConsoleTerminal {
  private output = '';
  readonly exited: Promise<number>;

  constructor(readonly pty: IPty) {
    pty.onData((data) => {
      // Keep the tail only: the latest frame is all the test reads.
      this.output = (this.output + data).slice(-200_000);
    });
    this.exited = new Promise((resolve) => pty.onExit(({ exitCode }) => resolve(exitCode)));
  }

  /** The last frame: every frame starts with the header line. */
  frame(): string {
    const text = stripVTControlCharacters(this.output);
    const start = text.lastIndexOf('dtq-console · ');
    return start < 0 ? text : text.slice(start);
  }

  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const match = this.frame().match(pattern);
      if (match) return match;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`the screen did not show ${pattern} within ${timeoutMs} ms; last frame:\n${this.frame()}`);
  }

  press(keys: string): void {
    this.pty.write(keys);
  }
}

function childPids(parentPid: number): number[] {
  const listing = spawnSync('ps', ['-o', 'pid=', '--ppid', String(parentPid)], { encoding: 'utf8' });
  return listing.stdout.split('\n').map((line) => Number(line.trim())).filter((pid) => pid > 0);
}

let redis: Awaited<ReturnType<typeof startTestRedis>>;
let dataDir: string;

beforeAll(async () => {
  redis = await startTestRedis();
  dataDir = mkdtempSync(join(tmpdir(), 'dtq-console-e2e-'));
});

afterAll(async () => {
  await redis.cleanup();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('console in a terminal', () => {
  it('recovers a killed worker with nothing lost', async () => {
    const queue = freshQueueName('console');
    const args = [cliPath, '--redis-url', redis.url, '--queue', queue, '--data-dir', dataDir, '--heartbeat-ms', '300', '--heartbeat-ttl-ms', '1000', '--sweep-ms', '200', '--shutdown-timeout-ms', '2000'];
    const terminal = new ConsoleTerminal(spawnPty(process.execPath, args, { cols: 100, rows: 32, cwd: dataDir, env: terminalEnv() }));
    let pids: number[] = [];
    try {
      await terminal.waitFor(/leader · redis connected/);
      await terminal.waitFor(/Workers \(0\)/);

      terminal.press('s');
      await terminal.waitFor(/W1·\w+\s+\d+@\S+\s+alive/);
      terminal.press('s');
      await terminal.waitFor(/W2·\w+\s+\d+@\S+\s+alive/);

      terminal.press('i');
      await terminal.waitFor(/Inject tasks/);
      terminal.press('\r');
      await terminal.waitFor(/injected 20 sleep task\(s\)/);

      // W1 is the first row and selected; kill it while it holds a task.
      await terminal.waitFor(/›\* W1·\w+\s+\d+@\S+\s+alive\s+\S+\s+1 for/);
      pids = childPids(terminal.pty.pid);
      expect(pids).toHaveLength(2);
      terminal.press('K');
      await terminal.waitFor(/sent SIGKILL to W1/);
      await terminal.waitFor(/recovery: requeued \d+ task\(s\) of W1:/);

      const done = await terminal.waitFor(/completed\s+20\s*│[\s\S]*in the system\s+0\s*│[\s\S]*lost\s+0 ✓[\s\S]*last recovery\s+(\S+) \(W1 killed\)/, 30_000);
      expect(done[1]).toMatch(/^\d+(\.\d)?(ms|s)$/);
      expect(terminal.frame()).toMatch(/injected\s+20\s*│/);

      terminal.press('q');
      await terminal.waitFor(/Stop 1 spawned worker\(s\)/);
      terminal.press('y');
      expect(await terminal.exited).toBe(0);
      for (const pid of pids) expect(isAlive(pid), `worker pid ${pid}`).toBe(false);
    } finally {
      terminal.pty.kill('SIGKILL');
      for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
  });

  it('exits 2 without a terminal', () => {
    const result = spawnSync(process.execPath, [cliPath, '--redis-url', redis.url, '--data-dir', dataDir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: terminalEnv() });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('dtq-console --no-ui');
  });
});
