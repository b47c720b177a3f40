import { describe, expect, it } from 'vitest';
import { parseDotEnv, resolveConfig, UsageError } from '../../src/config.js';

describe('parseDotEnv', () => {
  it('reads assignments, quotes and comments', () => {
    const text = '# comment\nREDIS_URL="redis://h:1"\nexport DTQ_QUEUE=mail # trailing\nEMPTY=\nnot a line\n';
    expect(parseDotEnv(text)).toEqual({ REDIS_URL: 'redis://h:1', DTQ_QUEUE: 'mail', EMPTY: '' });
  });
});

describe('resolveConfig precedence', () => {
  it('takes flags over environment over .env over defaults', () => {
    const config = resolveConfig(
      { concurrency: '8' },
      { DTQ_CONCURRENCY: '4', DTQ_QUEUE: 'from-env' },
      { DTQ_CONCURRENCY: '2', DTQ_QUEUE: 'from-dotenv', DTQ_PREFIX: 'fromdot' },
      '/work',
    );
    expect(config.concurrency).toBe(8);
    expect(config.queue).toBe('from-env');
    expect(config.prefix).toBe('fromdot');
    expect(config.maxAttempts).toBe(5);
    expect(config.dataDir).toBe('/work/.dtq');
  });

  it('names the source of a bad value', () => {
    expect(() => resolveConfig({}, {}, { DTQ_HEARTBEAT_MS: '1s' }, '/')).toThrow(/DTQ_HEARTBEAT_MS in \.env/);
    expect(() => resolveConfig({ sweepMs: '-5' }, {}, {}, '/')).toThrow(UsageError);
  });

  it('rejects a heartbeat TTL not above the interval', () => {
    expect(() => resolveConfig({ heartbeatMs: '3000' }, {}, {}, '/')).toThrow(/must exceed --heartbeat-ms/);
  });
});
