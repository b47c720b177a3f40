import { describe, expect, it } from 'vitest';
import { decodeEnvelope, encodeEnvelope, newTaskId, validateTaskName } from '../../engine/envelope.js';
import { TaskValidationError } from '../../engine/errors.js';

const base = { id: 'id1', name: 'work', payload: { a: 1 }, attempt: 1, maxAttempts: 5, enqueuedAt: 1 };

describe('task ids', () => {
  it('are 26 Crockford characters', () => {
    expect(newTaskId()).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('sort by creation time', () => {
    expect(newTaskId(1_000) < newTaskId(2_000)).toBe(true);
  });
});

describe('encodeEnvelope', () => {
  it('round-trips through decodeEnvelope', () => {
    const decoded = decodeEnvelope(encodeEnvelope(base, 1024), 1024);
    expect(decoded).toEqual({ ok: true, envelope: base });
  });

  it('rejects an envelope over the size limit', () => {
    expect(() => encodeEnvelope({ ...base, payload: 'x'.repeat(200) }, 100)).toThrow(/over the limit of 100/);
  });

  it('rejects a payload that JSON cannot encode', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => encodeEnvelope({ ...base, payload: cyclic }, 1024)).toThrow(TaskValidationError);
    expect(() => encodeEnvelope({ ...base, payload: 10n }, 1024)).toThrow(/not JSON-serialisable/);
  });
});

describe('decodeEnvelope', () => {
  const cases: Array<[string, string, string]> = [
    ['not JSON', 'hello', 'envelope is not valid JSON'],
    ['an array', '[1]', 'envelope is not a JSON object'],
    ['null', 'null', 'envelope is not a JSON object'],
    ['no id', '{"name":"work"}', 'envelope has no string id'],
    ['an empty id', '{"id":"","name":"work"}', 'envelope has no string id'],
    ['no name', '{"id":"a"}', 'envelope has no valid task name'],
    ['a name with spaces', '{"id":"a","name":"two words"}', 'envelope has no valid task name'],
  ];
  for (const [title, raw, reason] of cases) {
    it(`rejects ${title}`, () => {
      expect(decodeEnvelope(raw, 1024)).toEqual({ ok: false, reason });
    });
  }

  it('fills defaults for fields a foreign producer left out', () => {
    const decoded = decodeEnvelope('{"id":"a","name":"work"}', 1024);
    expect(decoded).toEqual({ ok: true, envelope: { id: 'a', name: 'work', payload: null, attempt: 1, maxAttempts: 0, enqueuedAt: 0 } });
  });
});

describe('validateTaskName', () => {
  it('accepts dotted and dashed names', () => {
    expect(() => validateTaskName('images.resize-v2')).not.toThrow();
  });

  it('rejects an empty name', () => {
    expect(() => validateTaskName('')).toThrow(/invalid task name ""/);
  });
});
