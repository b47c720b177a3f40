import { SeededRandom } from './random.js';

/** Every fault the soak injects. */
export const faultKinds = [
  'worker-kill',
  'worker-freeze',
  'worker-term-busy',
  'worker-term-idle',
  'master-kill',
  'master-dual',
  'redis-kill',
  'client-kill',
  'client-kill-blocking',
  'client-unblock',
  'script-flush',
  'poison-throw',
  'poison-hang',
  'poison-crash',
] as const;

export type FaultKind = (typeof faultKinds)[number];

/** One fault of the schedule. Its target is picked at run time, from the live processes, with `choice`. */
export interface PlannedFault {
  /** Time after the start of the soak, in ms. */
  atMs: number;
  kind: FaultKind;
  /** How long the fault lasts (freeze, Redis or master downtime, second master), in ms. */
  durationMs: number;
  /** A number in [0, 1) that picks the target among the eligible ones. */
  choice: number;
}

/** Inputs of the schedule. */
export interface ScheduleOptions {
  seed: string;
  /** Length of the fault phase, in ms. */
  faultPhaseMs: number;
  heartbeatTtlMs: number;
  /** Quiet time at the start, before the first fault, in ms. @default 3000 */
  warmUpMs?: number;
}

/**
 * Plans the faults of one soak from its seed alone, so the same seed always
 * gives the same schedule. Kinds come in rounds, each a shuffle of every
 * kind, so after n rounds every kind has been planned n times. Gaps of 1.5 to
 * 5 s give about 18 faults a minute.
 */
export function planFaults(options: ScheduleOptions): PlannedFault[] {
  const random = new SeededRandom(options.seed).fork('faults');
  const faults: PlannedFault[] = [];
  let atMs = options.warmUpMs ?? 3000;
  while (atMs < options.faultPhaseMs) {
    for (const kind of random.shuffle(faultKinds)) {
      if (atMs >= options.faultPhaseMs) break;
      faults.push({ atMs, kind, durationMs: faultDurationMs(kind, random, options.heartbeatTtlMs), choice: random.next() });
      atMs += random.integer(1500, 5000);
    }
  }
  return faults;
}

function faultDurationMs(kind: FaultKind, random: SeededRandom, heartbeatTtlMs: number): number {
  switch (kind) {
    case 'worker-freeze':
      // Past the TTL, so the master declares the frozen worker dead.
      return heartbeatTtlMs + random.integer(500, 2500);
    case 'redis-kill':
      return random.integer(200, 2500);
    case 'master-kill':
      return random.integer(300, 3000);
    case 'master-dual':
      return random.integer(2000, 6000);
    default:
      return 0;
  }
}

/** Counts planned faults by kind. */
export function countByKind(faults: readonly PlannedFault[]): Record<FaultKind, number> {
  const counts = Object.fromEntries(faultKinds.map((kind) => [kind, 0])) as Record<FaultKind, number>;
  for (const fault of faults) counts[fault.kind]++;
  return counts;
}
