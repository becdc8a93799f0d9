// The receive-regex translator against Perl itself: the same pattern must match the
// same subjects in Perl (perl -e, as ldirectord's `$body =~ /$receive/`) and in JS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fc, fuzzSeed, replayHint } from '../helpers/fuzz.js';
import { PerlRegexError, compilePerlRegex, translatePerlRegex } from '../../src/config/perl-regex.js';

const PERL = '/usr/bin/perl';

/** Perl is the oracle here: without it these tests fail (test/setup installs it). */
function requirePerl(): void {
  if (!existsSync(PERL)) throw new Error(`${PERL} is not installed: run \`bash test/setup/system-deps.sh\` as root (test/setup/apt-packages.d/checks.txt lists perl)`);
}

/** Runs every [pattern, subject] through Perl in one process; true/false per pair, null when Perl rejects the pattern. */
function perlMatches(pairs: readonly (readonly [string, string])[]): (boolean | null)[] {
  const script = `use JSON::PP; local $/; my $in = decode_json(<STDIN>); my @out;
    for my $p (@$in) { my ($re, $s) = @$p; my $r = eval { $s =~ /$re/ ? JSON::PP::true : JSON::PP::false }; push @out, defined $r ? $r : undef; }
    print encode_json(\\@out);`;
  const out = execFileSync(PERL, ['-e', script], { input: JSON.stringify(pairs), maxBuffer: 64 << 20 });
  return JSON.parse(out.toString()) as (boolean | null)[];
}

const TABLE: [string, string[]][] = [
  ['Test Page', ['<h1>Test Page</h1>', 'test page']],
  ['^HTTP', ['HTTP/1.1 200', ' HTTP']],
  ['\\AHello', ['Hello world', 'x\nHello']],
  ['done$', ['done', 'done\n', 'done\n\n', 'done!']],
  ['done\\z', ['done', 'done\n']],
  ['done\\Z', ['done\n', 'done\n\n']],
  ['a.c', ['abc', 'a\rc', 'a\nc']],
  ['(?s)a.c', ['a\nc']],
  ['(?m)^two$', ['one\ntwo\nthree', 'onetwo']],
  ['(?i)server', ['SERVER', 'Server', 'serve']],
  ['(?i:ok) X', ['OK X', 'ok x']],
  ['a(?i)b', ['aB', 'AB']],
  ['(?x) a  b # comment', ['ab', 'a b']],
  ['[[:alpha:]]+[[:digit:]]', ['abc1', '123']],
  ['[[:upper:][:space:]]{3}', ['A B', 'abc']],
  ['[^[:alnum:]]', ['abc', 'a-b']],
  ['x*+x', ['xxx']],
  ['a++b', ['aaab']],
  ['(?>a+)b', ['aab']],
  ['(?>a|ab)c', ['abc', 'ac']],
  ['(\\w)\\1', ['hello', 'abc']],
  ['(?<q>["\'])x\\k<q>', ['"x"', '"x\'']],
  ['(a)(?>b)\\1', ['aba', 'abb']],
  ['\\Qa.b\\E', ['Qa.bE', 'QaXbE', 'a.b']],
  ['\\y\\Ua', ['yUa']],
  ['\\x41\\x{42}', ['AB']],
  ['\\h+\\d', ['  \t5', '\n5']],
  ['x{,2}y', ['xxy', 'y']],
  ['[]a]', [']', 'a', 'b']],
  ['\\d{3}-\\d{4}', ['555-1234', '55-1234']],
  ['OK|ready', ['ready', 'not']],
  ['(?#comment)ok', ['ok']],
  ['\\bword\\b', ['a word here', 'swordfish']],
  ['\\012', ['a\nb']],
  ['\\e\\[0m', ['\x1b[0m']],
];

test('translated patterns match exactly what Perl matches', () => {
  requirePerl();
  const pairs = TABLE.flatMap(([p, subjects]) => subjects.map((s) => [p, s] as const));
  const want = perlMatches(pairs);
  pairs.forEach(([p, s], i) => {
    const re = compilePerlRegex(p);
    assert.equal(re.test(s), want[i], `/${p}/ on ${JSON.stringify(s)} (JS: /${re.source}/)`);
  });
});

test('constructs JavaScript cannot express are rejected with E-REGEX and a hint', () => {
  const cases: [string, RegExp][] = [
    ['(a|(?R))', /recursive/],
    ['(?(1)a|b)', /conditional/],
    ['\\Gx', /\\G/],
    ['foo\\Kbar', /lookbehind/],
    ['(?{ print 1 })', /code blocks/],
    ['(?|a|b)', /branch reset/],
    ['\\p{L}', /Unicode/],
    ['\\o7', /braces/],
    ['(unclosed', /missing `\)`/],
    ['[abc', /missing `\]`/],
    ['*a', /follows nothing/],
    ['a**', /nested quantifier/],
  ];
  for (const [src, msg] of cases) {
    const r = translatePerlRegex(src);
    assert.ok(r instanceof PerlRegexError, src);
    assert.equal(r.code, 'E-REGEX');
    assert.match(r.message, msg, src);
    assert.throws(() => compilePerlRegex(src), PerlRegexError);
  }
});

// A small generator of Perl regexes built from constructs the translator rewrites.
const atom = fc.oneof(
  fc.constantFrom('a', 'b', 'ab', '.', '\\d', '\\w', '\\s', '[ab]', '[^a]', '[[:alpha:]]', '[[:digit:]]', '\\h', '\\x61', '\\Qa.\\E', 'A', '\\n'),
);
const piece = fc.tuple(atom, fc.constantFrom('', '*', '+', '?', '{1,2}', '*?', '++', '*+', '?+', '{,2}')).map(([a, q]) => (q && a.length > 1 && !a.startsWith('[') && !a.startsWith('\\') ? `(?:${a})${q}` : a + q));
const seq = fc.array(piece, { minLength: 1, maxLength: 4 }).map((p) => p.join(''));
const pattern = fc
  .tuple(fc.constantFrom('', '^', '\\A', '(?i)', '(?s)', '(?m)^'), seq, fc.constantFrom('', '|b', '(?>a+)', '(a)\\1'), fc.constantFrom('', '$', '\\z', '\\Z'))
  .map(([pre, body, mid, post]) => pre + body + mid + post);
const subject = fc.array(fc.constantFrom('a', 'b', 'A', '1', ' ', '\t', '\n', '\r', '.'), { maxLength: 8 }).map((cs) => cs.join(''));

const SEED = fuzzSeed(4242);

test('property: generated patterns behave as in Perl on generated subjects', () => {
  requirePerl();
  const samples = fc.sample(fc.tuple(pattern, fc.array(subject, { minLength: 3, maxLength: 3 })), { numRuns: 300, seed: SEED });
  const pairs = samples.flatMap(([p, subjects]) => subjects.map((s) => [p, s] as const));
  const want = perlMatches(pairs);
  const mismatches: string[] = [];
  pairs.forEach(([p, s], i) => {
    const r = translatePerlRegex(p);
    if (want[i] === null) {
      // Perl rejects it (e.g. a nested quantifier): ldirectord would die on it, so haldir
      // must refuse it at load time too rather than guess a meaning.
      if (!(r instanceof PerlRegexError)) mismatches.push(`/${p}/ rejected by Perl, accepted by haldir as /${r.source}/`);
      return;
    }
    if (r instanceof PerlRegexError) {
      mismatches.push(`/${p}/ rejected: ${r.message}`);
      return;
    }
    if (r.test(s) !== want[i]) mismatches.push(`/${p}/ on ${JSON.stringify(s)}: perl ${want[i]} js ${!want[i]} (/${r.source}/)`);
  });
  assert.deepEqual(mismatches.slice(0, 10), [], `${mismatches.length} mismatches; ${replayHint(SEED)}`);
});
