// Translates ldirectord's `receive` (a Perl regex, used as `$body =~ /$receive/` in
// check_http, check_ftp, check_dns, check_simpletcp...) into an equivalent JS RegExp.
//
// Perl and JS agree on most syntax; this translator rewrites what differs so that a
// pattern matches the same strings in both:
//   .            Perl: anything but \n        -> [^\n]        (JS `.` also stops at \r)
//   $            Perl: end or before final \n -> (?=\n?$)
//   \A \z \Z     -> ^  $  (?=\n?$)
//   (?imsx) (?i:...) (?^...)  inline flags, scoped or to the end of the group: case
//                folding is expanded into [aA] classes, s/m rewrite `.`, `^` and `$`,
//                x drops whitespace and # comments.
//   (?>...) a*+ a++ a?+ {n,m}+  atomic/possessive -> (?=(...))\N (same matches)
//   [[:alpha:]] and the other POSIX classes, \h \H \v \V \R \N \e \a \x{..} \o{..},
//   octal escapes, \g{N} \g{-N} \g{name} (?P<n>..) (?P=n) (?#...), {,n}.
//   \Q \E \U \L \u \l and unknown letter escapes are plain letters: receive is a
//   runtime string, and Perl's regex engine (unlike its string interpolation) passes
//   them through (checked against perl in test/config/perl-regex.test.ts).
// What JS cannot express (recursion, conditionals, \G, \K, code blocks, branch reset,
// \p{..}) is rejected with a PerlRegexError (code E-REGEX) whose
// message says what to change.

export class PerlRegexError extends Error {
  readonly code = 'E-REGEX';
  /** 0-based offset in the Perl source where the problem was found. */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.name = 'PerlRegexError';
    this.offset = offset;
  }
}

interface Flags {
  readonly i: boolean;
  readonly m: boolean;
  readonly s: boolean;
  readonly x: boolean;
}

// Output is a token list so capture groups can be renumbered at the end: atomic and
// possessive emulation adds groups, which shifts the numbers of the user's groups.
type Tok =
  | { readonly t: 'text'; readonly v: string }
  | { readonly t: 'open'; readonly user: number | undefined; readonly synth: number | undefined }
  | { readonly t: 'ref'; readonly user: number }
  | { readonly t: 'sref'; readonly synth: number };

const POSIX: Record<string, string> = {
  alpha: 'a-zA-Z',
  digit: '0-9',
  alnum: '0-9a-zA-Z',
  upper: 'A-Z',
  lower: 'a-z',
  space: ' \\t\\n\\r\\f\\v',
  blank: ' \\t',
  punct: '!-\\/:-@\\[-`{-~',
  xdigit: '0-9A-Fa-f',
  word: '\\w',
  cntrl: '\\x00-\\x1f\\x7f',
  print: '\\x20-\\x7e',
  graph: '\\x21-\\x7e',
  ascii: '\\x00-\\x7f',
};
const POSIX_NEGATED: Record<string, string> = { digit: '\\D', space: '\\S', word: '\\W' };
const VERTICAL_WS = '\\n\\x0b\\f\\r\\x85\\u2028\\u2029';

class Translator {
  private pos = 0;
  private readonly out: Tok[] = [];
  private userGroups = 0;
  private synthGroups = 0;
  private readonly names = new Map<string, number>();

  constructor(private readonly src: string) {}

  fail(msg: string, at = this.pos): never {
    throw new PerlRegexError(msg, at);
  }

  run(initial: Flags): Tok[] {
    this.sequence(initial, true);
    if (this.pos < this.src.length) this.fail('unmatched `)`; escape it as `\\)`');
    return this.out;
  }

  /** Parses until `)` or end; returns the tokens it appended (for quantifier wrapping). */
  private sequence(flagsIn: Flags, top: boolean): void {
    let flags = flagsIn;
    const src = this.src;
    let atomStart = this.out.length;
    while (this.pos < src.length) {
      const c = src[this.pos]!;
      if (c === ')') {
        if (top) this.fail('unmatched `)`; escape it as `\\)`');
        return;
      }
      if (c === '|') {
        this.pos++;
        this.emit('|');
        atomStart = this.out.length;
        continue;
      }
      if (flags.x && /\s/.test(c)) {
        this.pos++;
        continue;
      }
      if (flags.x && c === '#') {
        while (this.pos < src.length && src[this.pos] !== '\n') this.pos++;
        continue;
      }
      // A bare inline flag group `(?i)` changes the flags for the rest of this group.
      const inline = /^\(\?(\^?)([imsxn]*)(?:-([imsxn]*))?\)/.exec(src.slice(this.pos));
      if (inline && (inline[1] || inline[2] || inline[3] !== undefined)) {
        flags = applyFlags(flags, inline[1] === '^', inline[2] ?? '', inline[3] ?? '');
        this.pos += inline[0].length;
        continue;
      }
      atomStart = this.out.length;
      this.atom(flags);
      this.quantifier(atomStart);
    }
  }

  private emit(v: string): void {
    this.out.push({ t: 'text', v });
  }

  private atom(flags: Flags): void {
    const src = this.src;
    const c = src[this.pos]!;
    if (c === '(') return this.group(flags);
    if (c === '[') return this.charClass(flags);
    if (c === '\\') return this.escape(flags, false);
    this.pos++;
    if (c === '.') return this.emit(flags.s ? '[\\s\\S]' : '[^\\n]');
    if (c === '^') return this.emit(flags.m ? '(?<![^\\n])' : '^');
    if (c === '$') return this.emit(flags.m ? '(?=\\n|$)' : '(?=\\n?$)');
    if (c === '*' || c === '+' || c === '?') this.fail(`quantifier \`${c}\` follows nothing; escape it as \`\\${c}\``, this.pos - 1);
    if (c === '{' || c === '}' || c === ']') return this.emit('\\' + c);
    this.emit(this.literal(c, flags));
  }

  private literal(c: string, flags: Flags): string {
    if (flags.i && /[a-zA-Z]/.test(c)) return `[${c.toLowerCase()}${c.toUpperCase()}]`;
    return /[\\^$.|?*+()[\]{}\/]/.test(c) ? '\\' + c : c;
  }

  private quantifier(atomStart: number): void {
    const src = this.src;
    const rest = src.slice(this.pos);
    const m = /^(?:[*+?]|\{(\d*)(,?)(\d*)\})/.exec(rest);
    if (!m) return;
    let q = m[0];
    if (q.startsWith('{')) {
      if (m[1] === '' && m[3] === '') return; // `{}` or `{,}`: literal in Perl (already emitted as text by atom)
      if (m[1] === '') q = `{0,${m[3]}}`; // Perl 5.34+: {,n} means {0,n}
    }
    this.pos += m[0].length;
    if (atomStart === this.out.length) this.fail('quantifier follows nothing', this.pos - m[0].length);
    const next = src[this.pos];
    if (next === '?') {
      this.pos++;
      this.emit(q + '?');
    } else if (next === '+') {
      // possessive: X*+ == (?>X*)
      this.pos++;
      this.emit(q);
      this.wrapAtomic(atomStart);
    } else {
      this.emit(q);
    }
    if (/^(?:[*+?]|\{\d+,?\d*\})/.test(src.slice(this.pos))) this.fail('nested quantifier; wrap the quantified part in (?:...)');
  }

  /** (?>X) is emulated as (?=(X))\N: the lookahead commits to X's first match. */
  private wrapAtomic(from: number): void {
    const id = ++this.synthGroups;
    const inner = this.out.splice(from);
    this.out.push({ t: 'text', v: '(?=' }, { t: 'open', user: undefined, synth: id }, ...inner, { t: 'text', v: '))' }, { t: 'sref', synth: id });
  }

  private group(flags: Flags): void {
    const src = this.src;
    const start = this.pos;
    const rest = src.slice(this.pos);
    let m: RegExpExecArray | null;
    if (rest.startsWith('(?#')) {
      const end = src.indexOf(')', this.pos);
      if (end < 0) this.fail('unterminated (?# comment');
      this.pos = end + 1;
      return;
    }
    let inner = flags;
    let atomic = false;
    let openTok: Tok | undefined;
    let prefix = '';
    if ((m = /^\(\?(?:P?<([A-Za-z_]\w*)>|'([A-Za-z_]\w*)')/.exec(rest))) {
      const n = ++this.userGroups;
      this.names.set((m[1] ?? m[2])!, n);
      openTok = { t: 'open', user: n, synth: undefined };
      this.pos += m[0].length;
    } else if ((m = /^\(\?P=([A-Za-z_]\w*)\)/.exec(rest))) {
      this.pos += m[0].length;
      this.pushNamedRef(m[1]!, start);
      return;
    } else if ((m = /^\(\?(\^?)([imsxn]*)(?:-([imsxn]*))?:/.exec(rest))) {
      inner = applyFlags(flags, m[1] === '^', m[2] ?? '', m[3] ?? '');
      prefix = '(?:';
      this.pos += m[0].length;
    } else if (rest.startsWith('(?>')) {
      atomic = true;
      prefix = '(?:';
      this.pos += 3;
    } else if ((m = /^\(\?(?:=|!|<=|<!)/.exec(rest))) {
      prefix = m[0];
      this.pos += m[0].length;
    } else if ((m = /^\(\*(?:pla|plb|nla|nlb|positive_lookahead|negative_lookahead|positive_lookbehind|negative_lookbehind|atomic):/.exec(rest))) {
      this.fail('alpha assertions such as (*pla:...) are not supported; write (?=...), (?!...), (?<=...), (?<!...) or (?>...)');
    } else if (rest.startsWith('(?|')) {
      this.fail('branch reset groups (?|...) are not supported; use separate groups');
    } else if (/^\(\?(?:R|[+-]?\d+|&\w+|P>\w+)\)/.test(rest)) {
      this.fail('recursive patterns ((?R), (?1), (?&name)) cannot be expressed in JavaScript; spell the repetition out');
    } else if (rest.startsWith('(?(')) {
      this.fail('conditional groups (?(cond)yes|no) are not supported; use alternation');
    } else if (rest.startsWith('(?{') || rest.startsWith('(??{')) {
      this.fail('code blocks (?{...}) are not allowed in a receive pattern');
    } else if (rest.startsWith('(*')) {
      this.fail('backtracking control verbs (*VERB) are not supported');
    } else if (rest.startsWith('(?')) {
      this.fail(`unknown group syntax \`${rest.slice(0, 4)}\``);
    } else {
      const n = ++this.userGroups;
      openTok = { t: 'open', user: n, synth: undefined };
      this.pos += 1;
    }
    const from = this.out.length;
    if (openTok) this.out.push(openTok);
    else this.emit(prefix);
    this.sequence(inner, false);
    if (src[this.pos] !== ')') this.fail('unterminated group: missing `)`', start);
    this.pos++;
    this.emit(')');
    if (atomic) this.wrapAtomic(from);
  }

  private pushNamedRef(name: string, at: number): void {
    const n = this.names.get(name);
    if (n === undefined) this.fail(`reference to undefined group name \`${name}\``, at);
    this.out.push({ t: 'ref', user: n });
  }

  /** Escapes outside or inside a class; inside returns class-safe text via emit. */
  private escape(flags: Flags, inClass: boolean): void {
    const s = this.escapeText(flags, inClass);
    if (s !== undefined) this.emit(s);
  }

  private escapeText(flags: Flags, inClass: boolean): string | undefined {
    const src = this.src;
    const at = this.pos;
    const n = src[this.pos + 1];
    if (n === undefined) this.fail('pattern ends with a lone backslash; write `\\\\` for a literal backslash', at);
    this.pos += 2;
    const rest = src.slice(this.pos);
    let m: RegExpExecArray | null;
    switch (n) {
      case 'A':
        if (inClass) return 'A';
        return '^';
      case 'z':
        if (inClass) return 'z';
        return '$';
      case 'Z':
        if (inClass) return 'Z';
        return '(?=\\n?$)';
      case 'G':
        this.fail('\\G is not supported in a receive pattern', at);
      // eslint-disable-next-line no-fallthrough
      case 'K':
        this.fail('\\K is not supported; use a lookbehind (?<=...) instead', at);
      // eslint-disable-next-line no-fallthrough
      case 'h':
        return inClass ? ' \\t' : '[ \\t]';
      case 'H':
        if (inClass) this.fail('\\H inside a character class is not supported', at);
        return '[^ \\t]';
      case 'v':
        return inClass ? VERTICAL_WS : `[${VERTICAL_WS}]`;
      case 'V':
        if (inClass) this.fail('\\V inside a character class is not supported', at);
        return `[^${VERTICAL_WS}]`;
      case 'R':
        if (inClass) this.fail('\\R inside a character class is not supported', at);
        return `(?:\\r\\n|[${VERTICAL_WS}])`;
      case 'N':
        if (rest.startsWith('{')) this.fail('\\N{name} character names are not supported; use \\x{HEX}', at);
        if (inClass) this.fail('\\N inside a character class is not supported', at);
        return '[^\\n]';
      case 'e':
        return '\\x1b';
      case 'a':
        return '\\x07';
      case 'x':
        if ((m = /^\{([0-9A-Fa-f]*)\}/.exec(rest))) {
          this.pos += m[0].length;
          const cp = parseInt(m[1] || '0', 16);
          if (cp > 0xffff) this.fail('\\x{...} above FFFF is not supported', at);
          return hexEscape(cp);
        }
        m = /^[0-9A-Fa-f]{0,2}/.exec(rest)!;
        this.pos += m[0].length;
        return hexEscape(parseInt(m[0] || '0', 16));
      case 'o':
        if ((m = /^\{([0-7]+)\}/.exec(rest))) {
          this.pos += m[0].length;
          return hexEscape(parseInt(m[1]!, 8));
        }
        this.fail('\\o needs braces: write \\o{OCTAL}', at);
      // eslint-disable-next-line no-fallthrough
      // \Q..\E and the case escapes act only where Perl interpolates a pattern literal;
      // ldirectord's receive is a runtime string, where the regex engine reads them as
      // plain letters (perl -e '$r="\\Qa"; print "Qa" =~ /$r/' prints 1).
      case 'Q':
      case 'E':
      case 'l':
      case 'u':
      case 'L':
      case 'U':
      case 'F':
        return inClass ? n : this.literal(n, flags);
      case 'p':
      case 'P':
      case 'X':
        this.fail(`Unicode escape \\${n} is not supported; use an explicit character class`, at);
      // eslint-disable-next-line no-fallthrough
      case 'g': {
        if (inClass) return 'g';
        if ((m = /^(?:\{(-?\d+)\}|(-?\d+))/.exec(rest))) {
          this.pos += m[0].length;
          let k = parseInt((m[1] ?? m[2])!, 10);
          if (k < 0) k = this.userGroups + 1 + k;
          if (k <= 0) this.fail('relative back-reference points before the first group', at);
          this.out.push({ t: 'ref', user: k });
          return undefined;
        }
        if ((m = /^\{([A-Za-z_]\w*)\}/.exec(rest))) {
          this.pos += m[0].length;
          this.pushNamedRef(m[1]!, at);
          return undefined;
        }
        this.fail('malformed \\g back-reference; write \\g{N} or \\g{name}', at);
      }
      // eslint-disable-next-line no-fallthrough
      case 'k': {
        if (inClass) return 'k';
        if ((m = /^(?:<([A-Za-z_]\w*)>|\{([A-Za-z_]\w*)\}|'([A-Za-z_]\w*)')/.exec(rest))) {
          this.pos += m[0].length;
          this.pushNamedRef((m[1] ?? m[2] ?? m[3])!, at);
          return undefined;
        }
        this.fail('malformed \\k back-reference; write \\k<name>', at);
      }
      // eslint-disable-next-line no-fallthrough
      default:
        break;
    }
    if (/[0-9]/.test(n)) {
      // Perl: \0 and \0NN are octal; \N (N>0) is a back-reference when that many groups
      // exist or N < 10, otherwise octal.
      m = /^[0-9]*/.exec(src.slice(at + 1))!;
      const digits = m[0];
      if (n === '0' || inClass) {
        const oct = /^[0-7]{1,3}/.exec(digits)![0];
        this.pos = at + 1 + oct.length;
        return hexEscape(parseInt(oct, 8));
      }
      const k = parseInt(digits, 10);
      if (k < 10 || k <= this.userGroups) {
        this.pos = at + 1 + digits.length;
        this.out.push({ t: 'ref', user: k });
        return undefined;
      }
      const oct = /^[0-7]{1,3}/.exec(digits);
      if (!oct) this.fail(`back-reference \\${digits} to a group that does not exist`, at);
      this.pos = at + 1 + oct[0].length;
      return hexEscape(parseInt(oct[0], 8));
    }
    if (/[a-zA-Z]/.test(n)) {
      if ('dDwWsSbBtnrfc'.includes(n)) {
        if (n === 'c') {
          const ch = src[this.pos];
          if (ch === undefined) this.fail('\\c needs a control letter', at);
          this.pos++;
          return hexEscape(ch.toUpperCase().charCodeAt(0) ^ 64);
        }
        if (inClass && n === 'b') return '\\x08';
        if (inClass && n === 'B') this.fail('\\B inside a character class is not meaningful', at);
        return '\\' + n;
      }
      // Perl passes an unrecognised letter escape through as the letter itself.
      return inClass ? n : this.literal(n, flags);
    }
    // escaped punctuation or other character: literal
    if (inClass) return classLiteral(n);
    if (flags.i && /[a-zA-Z]/.test(n)) return this.literal(n, flags);
    return /[\w\s]/.test(n) ? n : '\\' + n;
  }

  private charClass(flags: Flags): void {
    const src = this.src;
    const start = this.pos;
    this.pos++;
    let negate = false;
    if (src[this.pos] === '^') {
      negate = true;
      this.pos++;
    }
    const parts: string[] = [];
    const letters: string[] = [];
    let first = true;
    for (;;) {
      if (this.pos >= src.length) this.fail('unterminated character class: missing `]`', start);
      const c = src[this.pos]!;
      if (c === ']' && !first) {
        this.pos++;
        break;
      }
      first = false;
      let m: RegExpExecArray | null;
      if (c === '[' && (m = /^\[:(\^?)([a-z]+):\]/.exec(src.slice(this.pos)))) {
        const neg = m[1] === '^';
        const name = m[2]!;
        const body = neg ? POSIX_NEGATED[name] : POSIX[name];
        if (body === undefined) {
          this.fail(neg ? `negated POSIX class [:^${name}:] is not supported; use a negated class [^...]` : `unknown POSIX class [:${name}:]`, this.pos);
        }
        if (flags.i && (name === 'upper' || name === 'lower')) parts.push('a-zA-Z');
        else parts.push(body);
        this.pos += m[0].length;
        continue;
      }
      if (c === '[' && /^\[([.=]).*?\1\]/.test(src.slice(this.pos))) {
        this.fail('POSIX collating elements [.x.] and [=x=] are not supported', this.pos);
      }
      if (c === '\\') {
        const before = this.out.length;
        const s = this.escapeText(flags, true);
        if (this.out.length !== before) this.fail('back-reference inside a character class', this.pos);
        parts.push(s ?? '');
        continue;
      }
      this.pos++;
      if (flags.i && /[a-zA-Z]/.test(c)) letters.push(c);
      // Ranges keep their `-`; a-z under /i also needs A-Z.
      if (c === '-' && parts.length > 0 && src[this.pos] !== ']') {
        const prev = parts[parts.length - 1]!;
        const nextCh = src[this.pos]!;
        if (flags.i && /^[a-zA-Z]$/.test(prev) && /[a-zA-Z]/.test(nextCh)) {
          const lo = prev;
          const hi = nextCh;
          this.pos++;
          parts.pop();
          parts.push(`${lo}-${hi}`, `${swapCase(lo)}-${swapCase(hi)}`);
          continue;
        }
        parts.push('-');
        continue;
      }
      parts.push(classLiteral(c));
    }
    if (flags.i) for (const l of letters) parts.push(swapCase(l));
    const body = parts.join('');
    if (body === '' ) this.emit(negate ? '[\\s\\S]' : '[^\\s\\S]');
    else this.emit(`[${negate ? '^' : ''}${body}]`);
  }
}

function swapCase(c: string): string {
  const l = c.toLowerCase();
  return l === c ? c.toUpperCase() : l;
}

function classLiteral(c: string): string {
  return /[\]\\^\-[]/.test(c) ? '\\' + c : c;
}

function hexEscape(cp: number): string {
  return cp <= 0xff ? '\\x' + cp.toString(16).padStart(2, '0') : '\\u' + cp.toString(16).padStart(4, '0');
}

function applyFlags(f: Flags, caret: boolean, on: string, off: string): Flags {
  let r: Flags = caret ? { i: false, m: false, s: false, x: false } : f;
  for (const ch of on) if (ch in r) r = { ...r, [ch]: true };
  for (const ch of off) if (ch in r) r = { ...r, [ch]: false };
  return r;
}

function render(toks: readonly Tok[]): string {
  // JS numbers capture groups by the position of their `(`; compute the new numbers.
  const userIdx = new Map<number, number>();
  const synthIdx = new Map<number, number>();
  let n = 0;
  for (const t of toks) {
    if (t.t !== 'open') continue;
    n++;
    if (t.user !== undefined) userIdx.set(t.user, n);
    if (t.synth !== undefined) synthIdx.set(t.synth, n);
  }
  let out = '';
  for (const t of toks) {
    if (t.t === 'text') out += t.v;
    else if (t.t === 'open') out += '(';
    else if (t.t === 'sref') out += `(?:\\${synthIdx.get(t.synth)!})`;
    else {
      const idx = userIdx.get(t.user);
      if (idx === undefined) throw new PerlRegexError(`back-reference \\${t.user} to a group that does not exist`, 0);
      out += `(?:\\${idx})`;
    }
  }
  return out;
}

/**
 * Translates a Perl regex (as ldirectord's receive/checks use it, no delimiters) into a
 * JS RegExp with the same matches, or a PerlRegexError (code E-REGEX) saying what to fix.
 */
export function translatePerlRegex(src: string): RegExp | PerlRegexError {
  try {
    const toks = new Translator(src).run({ i: false, m: false, s: false, x: false });
    const js = render(toks);
    try {
      return new RegExp(js);
    } catch (e) {
      return new PerlRegexError(`invalid regular expression: ${(e as Error).message}`, 0);
    }
  } catch (e) {
    if (e instanceof PerlRegexError) return e;
    throw e;
  }
}

/** Throwing form, for consumers such as src/checks/receive.ts (setReceiveCompiler). */
export function compilePerlRegex(src: string): RegExp {
  const r = translatePerlRegex(src);
  if (r instanceof PerlRegexError) throw r;
  return r;
}
