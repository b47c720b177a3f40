import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { queueKeys } from '../../engine/index.js';
import type { RedisServerHandle } from '../../src/redis-server.js';
import { ExecutionLog, OpenExecutions } from './executions.js';
import { CliProcess, startMaster, startWorker, type MasterSettings, type WorkerSettings } from './processes.js';
import { SeededRandom } from './random.js';
import type { FaultKind, PlannedFault } from './schedule.js';
import { sleep, type Workload } from './workload.js';

/** A fault as it happened, for the report and for explaining duplicate executions. */
export interface FaultEvent {
  kind: FaultKind | 'self-kill';
  atMs: number;
  /** When the fault ended (thaw, restart), if it lasts. */
  endAtMs?: number;
  /** The worker process it hit; undefined for faults that hit every worker (Redis) or none. */
  pid?: number;
  target?: string;
  /** True when the fault can cut off every worker at once (a Redis restart). */
  affectsAllWorkers?: boolean;
  detail: string;
}

/** A worker or master process that exited without the harness signalling it, and not by a poison task. */
export interface UnexpectedExit {
  label: string;
  pid: number;
  code: number | null;
  signal: string | null;
  atMs: number;
  /** The last 12 lines of its log, which name the error. */
  logTail: string;
}

interface PoolWorker {
  name: string;
  process: CliProcess;
  frozen: boolean;
  terminating: boolean;
}

/** One line of CLIENT LIST. */
interface ClientInfo {
  id: string;
  name: string;
  cmd: string;
  flags: string;
}

/**
 * The processes of a soak and the faults done to them: a pool of worker
 * processes kept at its size (a replacement reuses the dead worker's name
 * half of the time), the master processes, and the Redis server.
 */
export class Lab {
  readonly events: FaultEvent[] = [];
  readonly skipped: Array<{ kind: FaultKind; reason: string }> = [];
  readonly executions: ExecutionLog;
  readonly open = new OpenExecutions();
  readonly workers: PoolWorker[] = [];
  readonly masters: CliProcess[] = [];
  readonly unexpectedExits: UnexpectedExit[] = [];
  /** Exit time of every worker process that exited. */
  readonly exitAtMsByPid = new Map<number, number>();
  /** Pids the harness signalled itself, so a SIGKILL from anywhere else is known as a self-kill. */
  private readonly killedByHarness = new Set<number>();
  private readonly background = new Set<Promise<unknown>>();
  private readonly respawnRandom: SeededRandom;
  private nextWorkerNumber: number;
  private stopping = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private masterCount = 0;

  constructor(
    private readonly redis: RedisServerHandle,
    private readonly admin: Redis,
    private readonly workload: Workload,
    private readonly workerSettings: WorkerSettings,
    private readonly masterSettings: MasterSettings,
    private readonly poolSize: number,
    seed: string,
    private readonly log: (line: string) => void,
  ) {
    this.executions = new ExecutionLog(`${workerSettings.dir}/executions.ndjson`);
    this.respawnRandom = new SeededRandom(seed).fork('respawn');
    this.nextWorkerNumber = poolSize + 1;
  }

  /** Starts the pool and one master, and follows the execution log. */
  start(): void {
    for (let i = 1; i <= this.poolSize; i++) this.spawnWorker(`W${i}`);
    this.spawnMaster();
    this.pollTimer = setInterval(() => this.pollExecutions(), 100);
  }

  pollExecutions(): void {
    this.open.apply(this.executions.poll());
  }

  private spawnWorker(name: string): void {
    const process = startWorker(name, this.workerSettings);
    const worker: PoolWorker = { name, process, frozen: false, terminating: false };
    this.workers.push(worker);
    void process.exited.then((exit) => {
      this.pollExecutions();
      this.exitAtMsByPid.set(process.pid, exit.atMs);
      this.open.forget(process.pid);
      this.workers.splice(this.workers.indexOf(worker), 1);
      if (exit.signal === 'SIGKILL' && !this.killedByHarness.has(process.pid)) {
        this.events.push({ kind: 'self-kill', atMs: exit.atMs, pid: process.pid, target: name, detail: `worker ${name} (pid ${process.pid}) was killed by its own handler` });
      } else if (!this.killedByHarness.has(process.pid) && !this.stopping) {
        this.recordUnexpectedExit(process);
      }
      if (!this.stopping) this.scheduleReplacement(name);
    });
  }

  private scheduleReplacement(name: string): void {
    const delayMs = this.respawnRandom.integer(200, 1200);
    const sameName = this.respawnRandom.chance(0.5);
    this.track(sleep(delayMs).then(() => {
      if (this.stopping || this.workers.length >= this.poolSize) return;
      this.spawnWorker(sameName ? name : `W${this.nextWorkerNumber++}`);
    }));
  }

  /** Starts a master; one that exits on its own is reported and replaced a second later, so recovery never stops for good. */
  private spawnMaster(): CliProcess {
    this.masterCount++;
    const master = startMaster(this.masterSettings, `master-${this.masterCount}`);
    this.masters.push(master);
    void master.exited.then(() => {
      this.masters.splice(this.masters.indexOf(master), 1);
      if (this.killedByHarness.has(master.pid) || this.stopping) return;
      this.recordUnexpectedExit(master);
      this.track(sleep(1000).then(() => {
        if (!this.stopping && this.masters.length === 0) this.spawnMaster();
      }));
    });
    return master;
  }

  private recordUnexpectedExit(process: CliProcess): void {
    const exit = process.exitInfo;
    let logTail = '';
    try {
      logTail = readFileSync(process.logPath, 'utf8').trimEnd().split('\n').slice(-12).join('\n');
    } catch {
      // No log: the tail stays empty.
    }
    this.unexpectedExits.push({ label: process.label, pid: process.pid, code: exit?.code ?? null, signal: exit?.signal ?? null, atMs: exit?.atMs ?? Date.now(), logTail });
    this.log(`${process.label} (pid ${process.pid}) exited on its own with code ${exit?.code} signal ${exit?.signal}`);
  }

  private track(promise: Promise<unknown>): void {
    this.background.add(promise);
    void promise.finally(() => this.background.delete(promise));
  }

  /** Workers that can be signalled: alive, not frozen, not stopping. */
  private activeWorkers(): PoolWorker[] {
    return this.workers.filter((worker) => worker.process.alive && !worker.frozen && !worker.terminating);
  }

  private busyWorkers(): PoolWorker[] {
    this.pollExecutions();
    return this.activeWorkers().filter((worker) => this.open.count(worker.process.pid) > 0);
  }

  private pickBy<T>(items: readonly T[], choice: number): T | undefined {
    return items.length === 0 ? undefined : items[Math.floor(choice * items.length)];
  }

  private record(event: FaultEvent): void {
    this.events.push(event);
    this.log(`fault ${event.kind}: ${event.detail}`);
  }

  /** Injects one planned fault; resolves when the part that later faults depend on is over. */
  async inject(fault: PlannedFault): Promise<void> {
    switch (fault.kind) {
      case 'worker-kill':
        return this.killWorker(fault);
      case 'worker-freeze':
        return this.freezeWorker(fault);
      case 'worker-term-busy':
        return this.terminateBusyWorker(fault);
      case 'worker-term-idle':
        return this.terminateIdleWorker(fault);
      case 'master-kill':
        return this.killMaster(fault);
      case 'master-dual':
        return this.runSecondMaster(fault);
      case 'redis-kill':
        return this.killRedis(fault);
      case 'client-kill':
        return this.killConnection(fault, 'main');
      case 'client-kill-blocking':
        return this.killConnection(fault, 'claim');
      case 'client-unblock':
        return this.unblockClaim(fault);
      case 'script-flush':
        await this.admin.script('FLUSH');
        this.record({ kind: fault.kind, atMs: Date.now(), detail: 'SCRIPT FLUSH' });
        return;
      case 'poison-throw':
      case 'poison-hang':
      case 'poison-crash':
        await this.workload.enqueue([fault.kind]);
        this.record({ kind: fault.kind, atMs: Date.now(), detail: `enqueued one ${fault.kind} task` });
        return;
    }
  }

  private skip(kind: FaultKind, reason: string): void {
    this.skipped.push({ kind, reason });
    this.log(`fault ${kind} skipped: ${reason}`);
  }

  private async killWorker(fault: PlannedFault): Promise<void> {
    const worker = this.pickBy(this.busyWorkers(), fault.choice) ?? this.pickBy(this.activeWorkers(), fault.choice);
    if (!worker) return this.skip(fault.kind, 'no live worker');
    const runningCount = this.open.count(worker.process.pid);
    this.killedByHarness.add(worker.process.pid);
    worker.process.signal('SIGKILL');
    this.record({ kind: fault.kind, atMs: Date.now(), pid: worker.process.pid, target: worker.name, detail: `SIGKILL ${worker.name} (pid ${worker.process.pid}) running ${runningCount} task(s)` });
  }

  private async freezeWorker(fault: PlannedFault): Promise<void> {
    const worker = this.pickBy(this.busyWorkers(), fault.choice) ?? this.pickBy(this.activeWorkers(), fault.choice);
    if (!worker) return this.skip(fault.kind, 'no live worker');
    worker.frozen = true;
    worker.process.signal('SIGSTOP');
    const event: FaultEvent = { kind: fault.kind, atMs: Date.now(), pid: worker.process.pid, target: worker.name, detail: `SIGSTOP ${worker.name} (pid ${worker.process.pid}) for ${fault.durationMs} ms` };
    this.record(event);
    this.track(sleep(fault.durationMs).then(() => {
      worker.process.signal('SIGCONT');
      worker.frozen = false;
      event.endAtMs = Date.now();
    }));
  }

  /** Waits up to 10 s for a busy worker, as the fault may fall in an idle stretch, then sends it SIGTERM. */
  private async terminateBusyWorker(fault: PlannedFault): Promise<void> {
    const deadlineMs = Date.now() + 10_000;
    while (this.busyWorkers().length === 0 && Date.now() < deadlineMs) await sleep(50);
    const worker = this.pickBy(this.busyWorkers(), fault.choice);
    if (!worker) return this.skip(fault.kind, 'no worker became busy within 10 s');
    this.terminate(worker, fault.kind, `SIGTERM ${worker.name} (pid ${worker.process.pid}) running ${this.open.count(worker.process.pid)} task(s)`);
  }

  /**
   * Holds the producer until the queue drains and a worker has run nothing
   * for 300 ms, so it sits in BLMOVE, then sends it SIGTERM.
   */
  private async terminateIdleWorker(fault: PlannedFault): Promise<void> {
    await this.workload.hold();
    try {
      const idle = await this.waitForIdleWorker(15_000);
      const worker = this.pickBy(idle, fault.choice);
      if (!worker) return this.skip(fault.kind, 'no worker became idle within 15 s');
      this.terminate(worker, fault.kind, `SIGTERM ${worker.name} (pid ${worker.process.pid}) while idle`);
    } finally {
      this.workload.release();
    }
  }

  private async waitForIdleWorker(timeoutMs: number): Promise<PoolWorker[]> {
    const idleSinceMs = new Map<number, number>();
    const deadlineMs = Date.now() + timeoutMs;
    while (Date.now() < deadlineMs) {
      this.pollExecutions();
      const pendingCount = await this.admin.llen(this.pendingKey());
      const nowMs = Date.now();
      const idle: PoolWorker[] = [];
      for (const worker of this.activeWorkers()) {
        if (pendingCount > 0 || this.open.count(worker.process.pid) > 0) {
          idleSinceMs.delete(worker.process.pid);
          continue;
        }
        const sinceMs = idleSinceMs.get(worker.process.pid) ?? nowMs;
        idleSinceMs.set(worker.process.pid, sinceMs);
        if (nowMs - sinceMs >= 300) idle.push(worker);
      }
      if (idle.length > 0) return idle;
      await sleep(50);
    }
    return [];
  }

  private terminate(worker: PoolWorker, kind: FaultKind, detail: string): void {
    worker.terminating = true;
    this.killedByHarness.add(worker.process.pid);
    worker.process.signal('SIGTERM');
    this.record({ kind, atMs: Date.now(), pid: worker.process.pid, target: worker.name, detail });
  }

  private async killMaster(fault: PlannedFault): Promise<void> {
    const master = this.pickBy(this.masters.filter((candidate) => candidate.alive), fault.choice);
    if (!master) return this.skip(fault.kind, 'no live master');
    this.killedByHarness.add(master.pid);
    master.signal('SIGKILL');
    await master.exited;
    this.record({ kind: fault.kind, atMs: Date.now(), target: master.label, detail: `SIGKILL ${master.label} (pid ${master.pid}), restart in ${fault.durationMs} ms` });
    await sleep(fault.durationMs);
    if (this.masters.length === 0) this.spawnMaster();
  }

  private async runSecondMaster(fault: PlannedFault): Promise<void> {
    const second = this.spawnMaster();
    this.record({ kind: fault.kind, atMs: Date.now(), target: second.label, detail: `${this.masters.length} masters for ${fault.durationMs} ms` });
    this.track(sleep(fault.durationMs).then(async () => {
      const victim = fault.choice < 0.5 ? second : this.masters.find((master) => master !== second);
      if (!victim || this.masters.length < 2) return;
      this.killedByHarness.add(victim.pid);
      victim.signal('SIGKILL');
      await victim.exited;
    }));
  }

  /** Kills redis-server with SIGKILL and restarts it on the same port and AOF folder. No enqueue is in flight meanwhile. */
  private async killRedis(fault: PlannedFault): Promise<void> {
    await this.workload.hold();
    try {
      await this.redis.kill();
      const event: FaultEvent = { kind: fault.kind, atMs: Date.now(), affectsAllWorkers: true, detail: `SIGKILL redis-server, restart after ${fault.durationMs} ms` };
      this.record(event);
      await sleep(fault.durationMs);
      await this.redis.restart();
      event.endAtMs = Date.now();
    } finally {
      this.workload.release();
    }
  }

  private async clientList(): Promise<ClientInfo[]> {
    const text = (await this.admin.client('LIST')) as string;
    return text.split('\n').filter(Boolean).map((line) => {
      const fields = new Map(line.trim().split(' ').map((pair) => {
        const at = pair.indexOf('=');
        return [pair.slice(0, at), pair.slice(at + 1)] as const;
      }));
      return { id: fields.get('id') ?? '', name: fields.get('name') ?? '', cmd: fields.get('cmd') ?? '', flags: fields.get('flags') ?? '' };
    });
  }

  /**
   * Kills a worker's main connection, or its claim connection (the one that
   * blocks in BLMOVE). Workers open the claim connection only when pending is
   * empty, so for that kind the producer pauses until one exists, for up
   * to 15 s.
   */
  private async killConnection(fault: PlannedFault, connection: 'main' | 'claim'): Promise<void> {
    if (connection === 'main') return this.killNamedConnection(fault, connection);
    await this.workload.hold();
    try {
      const deadlineMs = Date.now() + 15_000;
      const claimNames = () => new Set(this.activeWorkers().map((worker) => `dtq-worker-${worker.name}-claim`));
      while (Date.now() < deadlineMs && !(await this.clientList()).some((client) => claimNames().has(client.name))) await sleep(50);
      await this.killNamedConnection(fault, connection);
    } finally {
      this.workload.release();
    }
  }

  private async killNamedConnection(fault: PlannedFault, connection: 'main' | 'claim'): Promise<void> {
    const clientNameOf = (worker: PoolWorker) => (connection === 'main' ? `dtq-worker-${worker.name}` : `dtq-worker-${worker.name}-claim`);
    const clientList = await this.clientList();
    const connected = (workers: PoolWorker[]) => workers.filter((worker) => clientList.some((client) => client.name === clientNameOf(worker)));

    // A main connection is cut while it carries acks, so a busy worker is preferred.
    let candidates = connected(this.activeWorkers());
    const busy = connected(this.busyWorkers());
    if (connection === 'main' && busy.length > 0) candidates = busy;
    const worker = this.pickBy(candidates, fault.choice);
    if (!worker) return this.skip(fault.kind, `no live worker has a ${connection} connection`);
    const clientName = clientNameOf(worker);
    const clients = clientList.filter((client) => client.name === clientName);
    for (const client of clients) await this.admin.client('KILL', 'ID', client.id);
    const blocked = clients.some((client) => client.cmd === 'blmove');
    this.record({ kind: fault.kind, atMs: Date.now(), pid: worker.process.pid, target: worker.name, detail: `CLIENT KILL ${clientName}${blocked ? ' while blocked in BLMOVE' : ''}` });
  }

  /**
   * Ends a blocked BLMOVE with an UNBLOCKED error, as Redis does to blocked
   * clients in a failover. Holds the producer until some claim connection blocks.
   */
  private async unblockClaim(fault: PlannedFault): Promise<void> {
    await this.workload.hold();
    try {
      const deadlineMs = Date.now() + 15_000;
      while (Date.now() < deadlineMs) {
        const names = new Map(this.activeWorkers().map((worker) => [`dtq-worker-${worker.name}-claim`, worker]));
        const blocked = (await this.clientList()).filter((client) => names.has(client.name) && client.cmd === 'blmove' && client.flags.includes('b'));
        const client = this.pickBy(blocked, fault.choice);
        if (client) {
          const worker = names.get(client.name) as PoolWorker;
          await this.admin.client('UNBLOCK', client.id, 'ERROR');
          this.record({ kind: fault.kind, atMs: Date.now(), pid: worker.process.pid, target: worker.name, detail: `CLIENT UNBLOCK ${client.name} ERROR` });
          return;
        }
        await sleep(50);
      }
      this.skip(fault.kind, 'no claim connection blocked in BLMOVE within 15 s');
    } finally {
      this.workload.release();
    }
  }

  private pendingKey(): string {
    return queueKeys('dtq', this.workerSettings.queue).pending;
  }

  /** Ends the fault phase: thaws frozen workers, waits for restarts, and brings the pool and one master back. */
  async settle(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
    for (const worker of this.workers) {
      if (worker.frozen) worker.process.signal('SIGCONT');
      worker.frozen = false;
    }
    while (this.workers.filter((worker) => !worker.terminating).length < this.poolSize) this.spawnWorker(`W${this.nextWorkerNumber++}`);
    if (this.masters.length === 0) this.spawnMaster();
  }

  /** Stops every worker and master gracefully, then follows the log one last time. */
  async stop(): Promise<void> {
    this.stopping = true;
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
    await Promise.all([...this.workers.map((worker) => worker.process.stop()), ...this.masters.map((master) => master.stop())]);
    clearInterval(this.pollTimer);
    this.pollExecutions();
  }
}
