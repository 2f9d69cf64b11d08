import { describe, expect, it } from 'vitest';

import { check, F, FIELDS, initialValues, toRequest } from './fields';

describe('the wizard’s field table', () => {
  it('lists the build request’s fields in the order the wizard shows them', () => {
    expect(FIELDS.names).toEqual([
      'source',
      'format',
      'id_field',
      'user_field',
      'time_field',
      'as_of',
      'window_from',
      'window_to',
      'shard_bytes',
      'max_rejected_pct',
      'out',
    ]);
    expect(F.shard_bytes.input).toBe('wizard-shard-mib');
  });

  it('starts from the usual mapping and the current minute', () => {
    const values = initialValues(new Date(Date.UTC(2026, 10, 27, 10, 4, 31)));
    expect(values).toMatchObject({ id_field: 'id', user_field: 'author', time_field: 'created_utc', source: '' });
    expect(values.as_of).toBe('2026-11-27T10:04:00Z');
  });

  it('turns what was typed into a request: trimmed, blanks as null, MiB as bytes', () => {
    const values = { ...initialValues(new Date(0)), source: ' /data/posts.jsonl ', as_of: '2026-11-27T10:00:00Z', shard_bytes: '1.5' };
    expect(check(values)).toEqual({});
    expect(toRequest(7, values)).toMatchObject({
      deal_id: 7,
      source: '/data/posts.jsonl',
      format: null,
      window_from: null,
      out: null,
      shard_bytes: 1572864,
      max_rejected_pct: null,
    });
  });
});
