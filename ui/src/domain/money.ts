//! Money for people. The core keeps every amount as integer minor units of an ISO 4217
//! currency (PRODUCT.md §5); the UI never computes with amounts, it only shows them, in
//! the user's locale: `formatMoney(150000000, 'USD')` is "$1,500,000.00" in en-US and
//! "1.500.000,00 $" in de-DE. Each currency's number of decimals is the core's own table
//! (`CURRENCY_EXPONENTS`, from ISO 4217), not the locale's idea of it.

import { CURRENCY_EXPONENTS } from '../bindings';

/** Every currency the core accepts, by code. */
export const CURRENCIES: readonly string[] = Object.keys(CURRENCY_EXPONENTS).sort();

/** Decimals of the currency's minor unit: USD 2, JPY 0, BHD 3 (2 for a code the core does not know). */
export function exponentOf(currency: string): number {
  return CURRENCY_EXPONENTS[currency] ?? 2;
}

/**
 * Minor units as exact decimal text in major units, the form the core's inputs take:
 * 150000000 USD -> "1500000.00", 1500 JPY -> "1500", -5 USD -> "-0.05".
 */
export function toMajorText(minor: number, currency: string): string {
  const exponent = exponentOf(currency);
  const digits = String(Math.abs(Math.trunc(minor))).padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = digits.slice(digits.length - exponent);
  const sign = minor < 0 ? '-' : '';
  return exponent === 0 ? `${sign}${whole}` : `${sign}${whole}.${fraction}`;
}

/**
 * The user's locale for numbers: the system's, except that a machine set to the C or
 * POSIX locale (servers, CI, a bare X session) gets en-US conventions. ICU reads C as
 * `en-US-u-va-posix`, which prints amounts without digit grouping ("$ 1500000.00"), and
 * no one reads money that way.
 */
export function userLocale(): string | undefined {
  const resolved = new Intl.NumberFormat().resolvedOptions().locale;
  return /posix/i.test(resolved) ? 'en-US' : undefined;
}

function formatter(currency: string, locale: string | undefined, compact: boolean): Intl.NumberFormat {
  const exponent = exponentOf(currency);
  locale ??= userLocale();
  try {
    return new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      currencyDisplay: 'narrowSymbol',
      ...(compact
        ? { notation: 'compact', minimumFractionDigits: 0, maximumFractionDigits: 1 }
        : { minimumFractionDigits: exponent, maximumFractionDigits: exponent }),
    });
  } catch {
    // A code the engine's currency data lacks: a plain number and the code.
    return new Intl.NumberFormat(locale, compact ? { notation: 'compact', maximumFractionDigits: 1 } : {});
  }
}

function withCode(text: string, currency: string, format: Intl.NumberFormat): string {
  return format.resolvedOptions().style === 'currency' ? text : `${text} ${currency}`;
}

/**
 * An amount in the user's locale, exact to the minor unit. The engine gets the exact
 * decimal text (Intl.NumberFormat formats decimal strings without going through a float
 * where it supports them), so even sums beyond 2^53 / 100 print every cent right.
 */
export function formatMoney(minor: number, currency: string, locale?: string): string {
  const format = formatter(currency, locale, false);
  // `format` takes decimal strings (ES2023); this project's TypeScript lib is ES2021.
  return withCode(format.format(toMajorText(minor, currency) as unknown as number), currency, format);
}

/** A short amount for chart axes and cards, e.g. "$1.5M" (rounded: never for figures to reconcile). */
export function formatMoneyCompact(minor: number, currency: string, locale?: string): string {
  const format = formatter(currency, locale, true);
  return withCode(format.format(minor / 10 ** exponentOf(currency)), currency, format);
}

/**
 * A rate kept as decimal text in minor units, in major units: "50" USD -> "0.50",
 * "12.5" USD -> "0.125", "7" JPY -> "7". Exact: the point moves, nothing is rounded.
 */
export function rateToMajorText(minorRate: string, currency: string): string {
  const exponent = exponentOf(currency);
  const [whole, fraction = ''] = minorRate.trim().split('.');
  const digits = whole.padStart(exponent + 1, '0');
  const major = digits.slice(0, digits.length - exponent).replace(/^0+(?=\d)/, '');
  const decimals = (digits.slice(digits.length - exponent) + fraction).replace(/0+$/, '');
  const shown = decimals.padEnd(exponent, '0');
  return shown === '' ? major : `${major}.${shown}`;
}
