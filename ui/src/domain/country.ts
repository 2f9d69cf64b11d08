//! ISO 3166-1 alpha-2 codes: the core's own list (src/model/country.rs), exported into
//! the bindings as `COUNTRY_CODES`, so that the UI rejects exactly what the core rejects.

import { COUNTRY_CODES } from '../bindings';

const CODES = new Set(COUNTRY_CODES);

export function isCountryCode(code: string): boolean {
  return CODES.has(code);
}

export const WORLD = 'WORLD';
