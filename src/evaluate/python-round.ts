/**
 * Python's `round(x, ndigits)`: the exact binary value of `x` rounded half-to-even at `ndigits`
 * decimals, then parsed back to the nearest double. DSPy reports scores with it, and JS idioms such
 * as `Math.round(x * 100) / 100` disagree on values like 2.675 or 0.125.
 *
 * @example
 * ```ts
 * pythonRound(2.675, 2); // 2.67 (the double is 2.67499999…)
 * pythonRound(0.125, 2); // 0.12 (an exact tie goes to even)
 * ```
 */
export function pythonRound(x: number, ndigits: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  if (!Number.isInteger(ndigits) || ndigits < 0) {
    throw new RangeError(`ndigits must be a non-negative integer, got ${ndigits}`);
  }
  const negative = x < 0;
  const { mantissa, exponent } = decompose(Math.abs(x));
  // |x| = mantissa * 2^exponent exactly; scale by 10^ndigits and divide out the power of two.
  const scaled = mantissa * 10n ** BigInt(ndigits);
  let q: bigint;
  if (exponent >= 0) {
    q = scaled << BigInt(exponent);
  } else {
    const d = 1n << BigInt(-exponent);
    q = scaled / d;
    const twiceRemainder = (scaled % d) * 2n;
    if (twiceRemainder > d || (twiceRemainder === d && q % 2n === 1n)) q += 1n;
  }
  const value = Number(`${q}e-${ndigits}`);
  return negative ? -value : value;
}

function decompose(x: number): { mantissa: bigint; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  return biased === 0
    ? { mantissa: fraction, exponent: -1074 }
    : { mantissa: fraction | (1n << 52n), exponent: biased - 1075 };
}
