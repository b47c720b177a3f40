import type { BenchResults } from './report.js';

/** Renders docs/benchmarks.md: how the numbers were made, the machine, then the tables of this run. */
export function renderDocsPage(results: BenchResults, tables: string): string {
  const { machine } = results;
  return `# Benchmarks

dtq-console and BullMQ measured side by side, with a bare LMOVE/LREM loop as
the baseline, on the same private \`redis-server\`, in one run of
\`npm run bench -- --docs\`.

## Machine

| | |
| --- | --- |
| CPU | ${machine.cpuModel}, ${machine.cpuCount} cores |
| memory | ${machine.memoryGib} GiB |
| OS | ${machine.os} |
| Node | ${machine.node} |
| Redis | ${machine.redis}, persistence off |
| BullMQ | ${machine.bullmq} |
| run | ${machine.startedAt}, ${machine.durationS} s, ${machine.runs} runs per case and system, scale ${machine.scale} |
| load average (1 min) | ${machine.loadAverageAtStart} at the start, ${machine.loadAverageAtEnd} at the end |

Redis, the worker processes and the benchmark share these cores, so every
figure is a comparison on one machine, not a capacity claim. A load average
above 1 means other processes competed for the cores during the run, which
slows both systems and widens the min–max ranges.

## Method

- Each case runs ${machine.runs} times per system, alternating which system goes
  first. Tables show the median with min–max; verdicts compare medians.
- **Bulk enqueue**: 50,000 tasks named \`noop\` with payload \`{"n": i}\`, sent
  with \`Producer.enqueueBulk\` and with BullMQ's \`Queue.addBulk\`
  (\`removeOnComplete: true\`), timed from the call to its resolution.
- **Processing**: the queue is filled first, then 1 or 2 forked worker
  processes with a no-op handler start together; the time runs from the start
  signal to the last completion. dtq-console runs with every guarantee on
  (heartbeats, a processing list per incarnation, stats counters); BullMQ runs
  with its defaults (locks, stalled-job checks) and \`removeOnComplete\`, at
  the same concurrency and payload.
- **Bare loop**: the reliable-queue pattern alone in plain ioredis
  (\`bench/raw-loop.ts\`): LMOVE to claim (BLMOVE once pending is empty),
  LREM to ack, auto-pipelining on, and no heartbeat, registry, stats or
  envelope checks. It marks what Redis and one client library allow on this
  machine, so "dtq ÷ bare loop" is the share of that limit the engine reaches.
- **Redis CPU** is the change of \`used_cpu_user + used_cpu_sys\` from
  \`INFO cpu\`.
- **Worker CPU** is the sum of \`process.cpuUsage()\` of the worker processes.
- **Commands** come from \`INFO commandstats\` after \`CONFIG RESETSTAT\`. They
  include the commands that scripts run, so a script call counts once as
  EVALSHA and once per command inside it.
- **Peak RSS** is \`VmHWM\` from \`/proc/self/status\` of the largest worker
  process. Linux carries \`getrusage\`'s maxrss across exec, so maxrss would
  show the benchmark's own peak. Both systems' worker processes run the same
  script, which loads both libraries.
- dtq-console's bulk enqueue sends 1,000 tasks per script call, which runs
  one LPUSH per 200 tasks and one HINCRBY, hence about 0.01 commands per task.
- **Recovery**: worker processes holding one task each get SIGKILL, spread
  over one heartbeat interval (dtq-console) or one lock-renewal interval
  (BullMQ, 15 s). Latency runs to the master's \`requeued\` event
  (dtq-console: 1 s heartbeat, 3 s TTL, 0.5 s sweep) or to a live worker's
  \`stalled\` event (BullMQ: 30 s lock, 30 s stalled-job check). BullMQ's
  kills all fall early in one 30 s stalled-check cycle of the surviving
  worker, so its samples show one phase of that cycle.
- **Console tick**: one \`readSnapshot\` call, the console's whole read per
  tick, with 20 registered workers holding 5 tasks each, at 10 and at
  1,000,000 pending tasks. Redis time is the EVALSHA's \`usec_per_call\`.

## Results

${tables}`;
}
