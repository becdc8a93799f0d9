// How bad can a backtracking match of this (translated, JavaScript) regex get? V8's
// irregexp backtracks like Perl's engine but lacks Perl's optimisations (Perl checks
// that a pattern's fixed substrings occur at all before it backtracks), so
// `status.*ok` on one 1 MB line of "status status ..." costs V8 minutes (O(n^2)) where
// Perl needs 19 ms. The decision here is pure and conservative: it only tells the
// matcher (receive.ts) when a match may run on the event loop; everything else runs in
// a worker thread that is killed at a deadline (regex-pool.ts).

export type RegexCost =
  /** No repetition of anything but a single atom by `?`/{n}/{n,m}, no backreferences:
   * every start position costs at most a bounded amount, so the match is O(text x pattern). */
  | 'linear'
  /** One unbounded quantifier (`*`, `+`, `{n,}`), not inside a repeated group, no
   * backreferences: at worst O(text^2) (the `a.*b` family), harmless on a short text. */
  | 'polynomial'
  /** Nested repetition, backreferences, or more quantifiers: can be exponential. */
  | 'unbounded';

/** Texts up to this many characters may run a 'polynomial' regex inline (see inlineAllowed). */
export const INLINE_POLYNOMIAL_MAX_CHARS = 1024;

interface Group {
  hasQuantifier: boolean;
}

/**
 * Scans the JavaScript regex source (as compilePerlRegex emits it). Character classes
 * and escapes are atoms; a quantifier after `)` repeats the whole group.
 */
export function regexCost(source: string): RegexCost {
  const stack: Group[] = [{ hasQuantifier: false }];
  let unbounded = 0;
  let optionalAtoms = 0;
  let groupRepeated = false;
  let lastAtomWasGroup: Group | undefined;
  let haveAtom = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      const n = source[i + 1] ?? '';
      if (/[1-9]/.test(n) || n === 'k') return 'unbounded'; // backreference
      i++;
      if (n === 'x') i += 2;
      else if (n === 'u') i += source[i + 1] === '{' ? source.indexOf('}', i) - i : 4;
      else if (n === 'c') i++;
      haveAtom = true;
      lastAtomWasGroup = undefined;
      continue;
    }
    if (c === '[') {
      // skip the class: ']' right after '[' or '[^' is literal in JS only with the v flag; not emitted here
      let j = i + 1;
      while (j < source.length && source[j] !== ']') j += source[j] === '\\' ? 2 : 1;
      i = j;
      haveAtom = true;
      lastAtomWasGroup = undefined;
      continue;
    }
    if (c === '(') {
      stack.push({ hasQuantifier: false });
      // skip the group's prefix: (?: (?= (?! (?<= (?<! (?<name>
      if (source[i + 1] === '?') {
        if (source[i + 2] === '<' && source[i + 3] !== '=' && source[i + 3] !== '!') i = source.indexOf('>', i);
        else i += source[i + 2] === '<' ? 3 : 2;
      }
      haveAtom = false;
      lastAtomWasGroup = undefined;
      continue;
    }
    if (c === ')') {
      const g = stack.length > 1 ? stack.pop()! : stack[0]!;
      if (g.hasQuantifier) stack[stack.length - 1]!.hasQuantifier = true;
      haveAtom = true;
      lastAtomWasGroup = g;
      continue;
    }
    const q = quantifierAt(source, i);
    if (q && haveAtom) {
      const top = stack[stack.length - 1]!;
      if (lastAtomWasGroup) {
        // A repeated group: nested repetition if it holds a quantifier, otherwise its
        // alternatives can still overlap ((a|a)*), so only a bounded optional group is harmless.
        if (lastAtomWasGroup.hasQuantifier || q.unbounded || q.max > 1) groupRepeated = true;
        else optionalAtoms++;
      } else if (q.unbounded) unbounded++;
      else optionalAtoms++;
      top.hasQuantifier = true;
      i = q.end - 1;
      if (source[i + 1] === '?') i++; // lazy
      haveAtom = false;
      lastAtomWasGroup = undefined;
      continue;
    }
    haveAtom = c !== '|' && c !== '^' && c !== '$';
    lastAtomWasGroup = undefined;
  }
  if (groupRepeated) return 'unbounded';
  if (unbounded === 0 && optionalAtoms <= 4) return 'linear';
  if (unbounded === 1 && optionalAtoms <= 4) return 'polynomial';
  return 'unbounded';
}

function quantifierAt(s: string, i: number): { unbounded: boolean; max: number; end: number } | undefined {
  const c = s[i];
  if (c === '*' || c === '+') return { unbounded: true, max: Infinity, end: i + 1 };
  if (c === '?') return { unbounded: false, max: 1, end: i + 1 };
  if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(s.slice(i, i + 24));
    if (!m) return undefined;
    const max = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Infinity : Number(m[3]);
    return { unbounded: max === Infinity, max, end: i + m[0].length };
  }
  return undefined;
}

/**
 * May this match run on the event loop? Linear regexes always (the text is already
 * bounded to MAX_MATCH_CHARS); polynomial ones on short texts (a health page saying
 * "status: ok"): at most INLINE_POLYNOMIAL_MAX_CHARS^2 ~ 1e6 backtracking steps, about
 * a millisecond.
 */
export function inlineAllowed(cost: RegexCost, textChars: number): boolean {
  if (cost === 'linear') return true;
  if (cost === 'polynomial') return textChars <= INLINE_POLYNOMIAL_MAX_CHARS;
  return false;
}
