import { describe, expect, it } from 'vitest';
import { isoTimestamp } from '../../src/store/record-table.js';

const DAY_MS = 86_400_000;
const MAX_MS = 8.64e15;

/** Deterministic pseudo-random numbers in [0, 1) (a 32-bit LCG), so failures reproduce. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const iso = (ms: number): string => new Date(ms).toISOString();

describe('isoTimestamp', () => {
  it('formats_like_toISOString_around_every_day_boundary_of_leap_and_century_years', () => {
    // Around midnight of each day in 1999–2001 (2000: a leap century) and 2099–2101.
    for (const [from, to] of [
      [Date.UTC(1999, 0, 1), Date.UTC(2002, 0, 1)],
      [Date.UTC(2099, 11, 1), Date.UTC(2101, 2, 1)],
    ] as const) {
      for (let day = from; day < to; day += DAY_MS) {
        for (const ms of [day - 1, day, day + 1, day + 999, day + 59_999, day + 3_599_999]) {
          expect(isoTimestamp(ms)).toBe(iso(ms));
        }
      }
    }
  });

  it('formats_like_toISOString_across_the_whole_range_of_Date', () => {
    const random = lcg(42);
    for (let i = 0; i < 20_000; i++) {
      const ms = Math.floor((random() * 2 - 1) * MAX_MS);
      expect(isoTimestamp(ms)).toBe(iso(ms));
    }
    for (const ms of [0, -0, -1, 1, MAX_MS, -MAX_MS, MAX_MS - 1, -MAX_MS + 1]) {
      expect(isoTimestamp(ms)).toBe(iso(ms));
    }
  });

  it('alternating_days_each_format_their_own_date', () => {
    const a = Date.UTC(2026, 11, 4, 23, 59, 59, 999);
    const b = a + 1;
    for (const ms of [a, b, a, b - DAY_MS * 400, b]) expect(isoTimestamp(ms)).toBe(iso(ms));
  });

  it('has_fractions_and_out_of_range_times_as_Date_has_them', () => {
    for (const ms of [1.5, -1.5, 1_700_000_000_000.9, -0.5]) expect(isoTimestamp(ms)).toBe(iso(ms));
    for (const ms of [MAX_MS + 1, -MAX_MS - 1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => isoTimestamp(ms)).toThrow(RangeError);
    }
  });
});
