import { describe, expect, it } from 'vitest';
import { countByKind, faultKinds, planFaults } from './schedule.js';

describe('fault schedule', () => {
  it('is the same for the same seed', () => {
    const first = planFaults({ seed: 'alpha', faultPhaseMs: 300_000, heartbeatTtlMs: 3000 });
    const second = planFaults({ seed: 'alpha', faultPhaseMs: 300_000, heartbeatTtlMs: 3000 });
    expect(second).toEqual(first);
  });

  it('differs between seeds', () => {
    const alpha = planFaults({ seed: 'alpha', faultPhaseMs: 300_000, heartbeatTtlMs: 3000 });
    const beta = planFaults({ seed: 'beta', faultPhaseMs: 300_000, heartbeatTtlMs: 3000 });
    expect(beta.map((fault) => fault.kind)).not.toEqual(alpha.map((fault) => fault.kind));
  });

  it('plans every kind five times in 300 s', () => {
    for (const seed of ['alpha', 'beta', 'gamma', 'delta']) {
      const counts = countByKind(planFaults({ seed, faultPhaseMs: 300_000, heartbeatTtlMs: 3000 }));
      for (const kind of faultKinds) expect(counts[kind], `${kind} with seed ${seed}`).toBeGreaterThanOrEqual(5);
    }
  });

  it('freezes workers past the heartbeat TTL', () => {
    const freezes = planFaults({ seed: 'alpha', faultPhaseMs: 300_000, heartbeatTtlMs: 3000 }).filter((fault) => fault.kind === 'worker-freeze');
    for (const freeze of freezes) expect(freeze.durationMs).toBeGreaterThan(3000);
  });
});
