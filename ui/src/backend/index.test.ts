import { describe, expect, it } from 'vitest';

import { toErrorBody } from './index';

describe('toErrorBody', () => {
  it('passes the core’s error bodies through', () => {
    const body = {
      code: 'invalid',
      message: 'title: title is required',
      fields: [{ field: 'title', message: 'title is required' }],
      lines: [],
    };
    expect(toErrorBody(body)).toEqual(body);
  });

  it('fills in missing fields of a known code', () => {
    expect(toErrorBody({ code: 'not_found', message: 'deal 9 not found' })).toEqual({
      code: 'not_found',
      message: 'deal 9 not found',
      fields: [],
      lines: [],
    });
  });

  it('turns anything else into a store error', () => {
    expect(toErrorBody('command list_deals not found')).toEqual({
      code: 'store',
      message: 'command list_deals not found',
      fields: [],
      lines: [],
    });
    expect(toErrorBody(new TypeError('x is undefined'))).toMatchObject({ code: 'store', message: 'x is undefined' });
    expect(toErrorBody({ code: 'teapot', message: 'short and stout' })).toMatchObject({
      code: 'store',
      message: 'short and stout',
    });
    expect(toErrorBody(undefined).code).toBe('store');
    expect(toErrorBody(undefined).message).not.toBe('');
  });
});
