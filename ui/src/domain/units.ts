//! Numbers for people: counts with digit grouping, byte sizes, rates and durations.

import { userLocale } from './money';

/** A count in a sentence, grouped as the user's locale groups digits: "1,200 invoices". */
export function formatNumber(n: number): string {
  return new Intl.NumberFormat(userLocale()).format(Math.round(n));
}

/** 61440 -> "61 440", grouped with narrow no-break spaces like the `Count` component. */
export function formatCount(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');
}

const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1536 -> "1.5 KiB"; binary units, as shard sizes are given in MiB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return bytes === 1 ? '1 byte' : `${bytes} bytes`;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${UNITS[unit]}`;
}

/** Bytes per second as "12.3 MB/s" (decimal megabytes, as disks and networks count). */
export function formatMegabytesPerSecond(bytes: number, ms: number): string {
  if (ms <= 0) return '— MB/s';
  const mbps = bytes / 1e6 / (ms / 1000);
  return `${mbps >= 100 ? mbps.toFixed(0) : mbps.toFixed(1)} MB/s`;
}

/** Per second, rounded to a whole number, e.g. "48,200/s". */
export function perSecond(count: number, ms: number): number {
  return ms <= 0 ? 0 : Math.round(count / (ms / 1000));
}

/** "850 ms", "12 s", "3 min 20 s", "1 h 5 min". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 === 0 ? `${m} min` : `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`;
}

/** A share of a whole as "12.5%", "<0.1%" or "0%". */
export function formatShare(part: number, whole: number): string {
  if (whole <= 0 || part <= 0) return '0%';
  const pct = (part / whole) * 100;
  if (pct < 0.1) return '<0.1%';
  return `${pct >= 10 ? pct.toFixed(0) : pct.toFixed(1)}%`;
}
