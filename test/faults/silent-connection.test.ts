import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { QueueFixture, startFaultRedis, type TestRedis } from '../chaos/fixture.js';
import { waitFor } from '../support/redis.js';

/**
 * A loopback TCP proxy in front of the test's redis-server that can make
 * chosen connections go silent: they stay open but carry nothing either
 * way, like a connection behind a dead router. Connections opened after a
 * silence pass normally.
 */
class SilencingProxy {
  private readonly links: Array<{ client: Socket; upstream: Socket; preamble: string; silent: boolean }> = [];
  private server: Server | undefined;
  port = 0;

  constructor(private readonly redisPort: number) {}

  async start(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = createConnection({ host: '127.0.0.1', port: this.redisPort });
      const link = { client, upstream, preamble: '', silent: false };
      this.links.push(link);
      client.on('data', (data) => {
        // The first bytes carry CLIENT SETNAME, which names the connection.
        if (link.preamble.length < 1024) link.preamble += data.toString('latin1');
        if (!link.silent) upstream.write(data);
      });
      upstream.on('data', (data) => {
        if (!link.silent) client.write(data);
      });
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
  }

  /** Silences every open connection whose client name satisfies `match`; returns how many. */
  silence(match: (clientName: string) => boolean): number {
    let count = 0;
    for (const link of this.links) {
      const name = /setname\r\n\$\d+\r\n([^\r]+)/i.exec(link.preamble)?.[1] ?? '';
      if (!link.client.destroyed && match(name)) {
        link.silent = true;
        count++;
      }
    }
    return count;
  }

  async stop(): Promise<void> {
    for (const link of this.links) {
      link.client.destroy();
      link.upstream.destroy();
    }
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

let redis: TestRedis;
let fixture: QueueFixture;
let proxy: SilencingProxy;
beforeAll(async () => {
  redis = await startFaultRedis();
});
afterEach(async () => {
  await fixture.cleanup();
  await proxy.stop();
});
afterAll(async () => {
  await redis.cleanup();
});

async function startBehindProxy(): Promise<void> {
  fixture = new QueueFixture(redis);
  proxy = new SilencingProxy(redis.port);
  await proxy.start();
  fixture.master();
  fixture.worker('W1', { redisUrl: `redis://127.0.0.1:${proxy.port}` });
  expect(await waitFor(async () => (await fixture.clients('dtq-worker-W1-claim')).some((client) => client.cmd === 'blmove'))).toBe(true);
}

describe('worker connection that goes silent', () => {
  it('recreates a silent claim connection', async () => {
    await startBehindProxy();
    expect(proxy.silence((name) => name === 'dtq-worker-W1-claim')).toBe(1);
    const id = await fixture.enqueue('work', { ms: 10 });

    const ends = await fixture.waitForRecords(id, 'end', 1, 15_000);
    expect(ends).toHaveLength(1);
    expect(await waitFor(async () => (await fixture.auditCount(id)) === 1, 5000)).toBe(true);
    expect(fixture.recordsOf(id, 'start')).toHaveLength(1);
  });

  it('recovers from a silent main connection', async () => {
    await startBehindProxy();
    expect(proxy.silence((name) => name === 'dtq-worker-W1')).toBe(1);
    const id = await fixture.enqueue('work', { ms: 10 });

    const ends = await fixture.waitForRecords(id, 'end', 1, 20_000);
    expect(ends).toHaveLength(1);
    expect(await waitFor(async () => (await fixture.auditCount(id)) === 1, 20_000)).toBe(true);
  });
});
