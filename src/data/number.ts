// Decimal number parsing straight from UTF-8 bytes, without making a string per cell.
//
// Accepted syntax (and nothing else): [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?
// No hex, no underscores, no "NaN"/"Infinity" (those are reported separately by the callers).
// Result: the double nearest to the decimal value, i.e. exactly what Number(text) gives: with at
// most 15 significant digits and a decimal exponent within +-22 both the mantissa and the power
// of ten are exact doubles, so one multiplication or division rounds correctly (Clinger's fast
// path); anything else falls back to Number() on the validated text.

const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
  1e21, 1e22,
];

/** The number written in b[s..e) (no surrounding blanks), or NaN when it is not a decimal number. */
export function parseDecimal(b: Uint8Array, s: number, e: number): number {
  let i = s;
  if (i >= e) return NaN;
  let c = b[i];
  let neg = false;
  if (c === 45 || c === 43) {
    neg = c === 45;
    i++;
  }
  let m = 0; // significant digits so far, as an exact integer
  let nd = 0; // how many significant digits m holds
  let exp = 0; // decimal exponent to apply to m
  let digits = 0; // digits seen in mantissa (including leading zeros)
  let slow = false; // more than 15 significant digits: use Number()
  while (i < e) {
    c = b[i] - 48;
    if (c < 0 || c > 9) break;
    digits++;
    if (m !== 0 || c !== 0) {
      if (nd < 15) {
        m = m * 10 + c;
        nd++;
      } else slow = true;
    }
    i++;
  }
  if (i < e && b[i] === 46) {
    i++;
    while (i < e) {
      c = b[i] - 48;
      if (c < 0 || c > 9) break;
      digits++;
      if (m === 0 && c === 0) exp--;
      else if (nd < 15) {
        m = m * 10 + c;
        nd++;
        exp--;
      } else slow = true;
      i++;
    }
  }
  if (digits === 0) return NaN;
  if (i < e && (b[i] === 101 || b[i] === 69)) {
    i++;
    let eneg = false;
    if (i < e && (b[i] === 45 || b[i] === 43)) {
      eneg = b[i] === 45;
      i++;
    }
    let ev = 0;
    let ed = 0;
    while (i < e) {
      c = b[i] - 48;
      if (c < 0 || c > 9) break;
      if (ev < 1e6) ev = ev * 10 + c;
      ed++;
      i++;
    }
    if (ed === 0) return NaN;
    exp += eneg ? -ev : ev;
  }
  if (i !== e) return NaN;
  if (m === 0) return neg ? -0 : 0;
  if (slow) return Number(ascii(b, s, e));
  let v: number;
  if (exp === 0) v = m;
  else if (exp > 0 && exp <= 22) v = m * POW10[exp];
  else if (exp < 0 && exp >= -22) v = m / POW10[-exp];
  else return Number(ascii(b, s, e));
  return neg ? -v : v;
}

/** Bytes as a string, one char per byte (for validated ASCII text). */
function ascii(b: Uint8Array, s: number, e: number): string {
  let out = "";
  for (let i = s; i < e; i++) out += String.fromCharCode(b[i]);
  return out;
}

/** NaN / Infinity spelled as text (any case, optional sign): numbers we refuse, with their own message. */
export function isNonFiniteLiteral(text: string): boolean {
  return /^[+-]?(nan|inf|infinity)$/i.test(text.trim());
}
