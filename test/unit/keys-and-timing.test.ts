import { describe, expect, it } from 'vitest';
import { queueKeys } from '../../engine/keys.js';
import { retryDelayMs } from '../../engine/timing.js';
import { redactRedisUrl } from '../../engine/redis.js';

describe('queueKeys', () => {
  it('puts every key of a queue under one hash tag', () => {
    const keys = queueKeys('dtq', 'emails');
    const names = [keys.pending, keys.workers, keys.delayed, keys.dead, keys.stats, keys.audit, keys.master, keys.events, keys.paused, keys.processing('W1:ab'), keys.heartbeat('W1:ab')];
    for (const name of names) expect(name.startsWith('dtq:{emails}:')).toBe(true);
    expect(keys.processing('W1:ab')).toBe('dtq:{emails}:processing:W1:ab');
  });

  for (const bad of ['a:b', 'a{b', 'a}b', '', 'x'.repeat(101), 'white space']) {
    it(`rejects queue name ${JSON.stringify(bad.slice(0, 12))}`, () => {
      expect(() => queueKeys('dtq', bad)).toThrow(/invalid queue name/);
    });
  }
});

describe('retryDelayMs', () => {
  it('doubles per attempt without jitter', () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, 1000, 60_000, () => 0))).toEqual([1000, 2000, 4000, 8000]);
  });

  it('adds at most a quarter of jitter', () => {
    expect(retryDelayMs(1, 1000, 60_000, () => 1)).toBe(1250);
  });

  it('caps the delay', () => {
    expect(retryDelayMs(30, 1000, 60_000, () => 0)).toBe(60_000);
  });
});

describe('redactRedisUrl', () => {
  it('hides the password', () => {
    expect(redactRedisUrl('rediss://app:s3cret@cache.example:6380/2')).toBe('rediss://app:***@cache.example:6380/2');
  });

  it('leaves a URL without password alone', () => {
    expect(redactRedisUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
});
