import { beforeAll, describe, expect, it } from 'vitest';
import { formatReport, isCrash, type SoakReport } from './report.js';
import { runSoak } from './run.js';

let report: SoakReport;
let text: string;
beforeAll(async () => {
  report = await runSoak({ seconds: 50, workers: 3, concurrency: 3, tasks: 1500, seed: 'npm-test' });
  text = formatReport(report);
}, 300_000);

describe('short chaos soak', () => {
  it('loses no task', () => {
    expect(report.verdict.enqueuedCount, text).toBe(1503);
    expect(report.verdict.lostIds, text).toEqual([]);
    expect(report.verdict.stuckIds, text).toEqual([]);
    expect(report.verdict.uncertainCount, text).toBe(0);
  });

  it('dead-letters only the poison tasks', () => {
    expect(report.verdict.poisonCount, text).toBe(3);
    expect(report.verdict.deadLetteredCount, text).toBe(3);
    expect(report.verdict.wronglyDead, text).toEqual([]);
  });

  it('balances the accounting', () => {
    expect(report.verdict.accounting.balanced, text).toBe(true);
    expect(report.verdict.strandedLists, text).toEqual([]);
  });

  it('has no process crash', () => {
    expect(report.unexpectedExits.filter(isCrash), text).toEqual([]);
  });

  it('explains every duplicate execution', () => {
    expect(report.verdict.unexplainedCount, text).toBe(0);
    expect(report.verdict.ackedWithoutExecution, text).toEqual([]);
  });

  it('has every worker resume after a Redis restart', () => {
    expect(report.verdict.resumeLatenciesMs.filter((latencyMs) => !Number.isFinite(latencyMs)), text).toEqual([]);
  });
});
