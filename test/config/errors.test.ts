// Table-driven: every diagnostic code, with the line (and column) it points at, and
// the "all mistakes in one pass" contract.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DIAGNOSTIC_CODES, didYouMean, formatDiagnostic } from '../../src/config/diagnostics.js';
import { errors, parse, vs } from './helpers.js';

const V = 'virtual=192.0.2.1:80\n\treal=192.0.2.2:80 gate\n';

/** [config, code, line, message fragment] */
const ERROR_CASES: [string, string, number, RegExp][] = [
  [`schedulr=rr\n${V}`, 'E-UNKNOWN-DIRECTIVE', 1, /unknown directive `schedulr` \(did you mean `scheduler`/],
  [vs('schedulr=rr'), 'E-UNKNOWN-DIRECTIVE', 3, /did you mean `scheduler`\?/],
  [vs('autoreload=yes'), 'E-UNKNOWN-DIRECTIVE', 3, /global directive/],
  [`real=192.0.2.2:80 gate\n${V}`, 'E-UNKNOWN-DIRECTIVE', 1, /inside a virtual section/],
  [`autoreload=maybe\n${V}`, 'E-BAD-VALUE', 1, /autoreload must be 'yes' or 'no'/],
  [`autoreload=yes \n${V}`, 'E-BAD-VALUE', 1, /trailing whitespace/],
  [`fork=yes\r\n${V}`, 'E-BAD-VALUE', 1, /dos2unix/],
  [vs('checktimeout=abc'), 'E-BAD-VALUE', 3, /invalid checktimeout/],
  [vs('checktype=negociate'), 'E-BAD-VALUE', 3, /did you mean `negotiate`/],
  [vs('service=htpt'), 'E-BAD-VALUE', 3, /did you mean `http`/],
  [vs('checkport=0'), 'E-BAD-VALUE', 3, /out of range/],
  [vs('netmask=24'), 'E-BAD-VALUE', 3, /dotted quad/],
  [vs('httpmethod=POST'), 'E-BAD-VALUE', 3, /GET or HEAD/],
  [vs('emailalertstatus=none,running'), 'E-BAD-VALUE', 3, /cannot be combined with `none`/],
  [vs('receive=""'), 'E-BAD-VALUE', 3, /empty receive/],
  [vs('request=index.html'), 'E-NOT-QUOTED', 3, /request must be quoted: request="index.html"/],
  [`logfile=/var/log/x.log\n${V}`, 'E-NOT-QUOTED', 1, /logfile must be quoted/],
  [vs('receive="a#b"'), 'E-NOT-QUOTED', 3, /cut at `#`/],
  [`smtppasswd=secret\n${V}`, 'E-NOT-QUOTED', 1, /smtppasswd must be quoted/],
  ['virtual=lb.example.com\n\treal=192.0.2.2 gate\n', 'E-BAD-ADDRESS', 1, /invalid address `lb.example.com` for virtual server/],
  ['virtual6=[1::2::3]:80\n\treal6=[::1]:80 gate\n', 'E-BAD-ADDRESS', 1, /invalid IPv6 address/],
  ['virtual=[::1]:80\n', 'E-FAMILY', 1, /virtual6=\[::1\]:80/],
  [vs('real6=[::1]:80 gate'), 'E-FAMILY', 3, /use "real" instead/],
  [vs('fallback6=[::1]:80'), 'E-FAMILY', 3, /use "fallback" instead/],
  ['virtual=unknown.example:80\n\treal=192.0.2.2 gate\n', 'E-RESOLVE', 1, /cannot resolve `unknown.example`/],
  ['virtual=192.0.2.1:nosuch\n\treal=192.0.2.2 gate\n', 'E-RESOLVE', 1, /invalid port `nosuch`/],
  [vs('real=unknown.example:80 gate'), 'E-RESOLVE', 3, /could not resolve host/],
  [vs('real=192.0.2.3:70000 gate'), 'E-RESOLVE', 3, /invalid port `70000`/],
  [vs('fallback=127.0.0.1:nosuch'), 'E-RESOLVE', 3, /invalid port `nosuch` for the fallback/],
  [vs('real=192.0.2.3:80'), 'E-REAL-SYNTAX', 3, /forwarding method is missing/],
  [vs('real=192.0.2.3:80 gate 1 extra'), 'E-REAL-SYNTAX', 3, /around `extra`/],
  [vs('real=192.0.2.3:80 route'), 'E-FORWARD', 3, /must be gate, masq or ipip/],
  [vs('fallback=127.0.0.1:80 nat'), 'E-FORWARD', 3, /fallback server must be gate, masq or ipip/],
  [vs('real=192.0.2.9->192.0.2.3:80 gate'), 'E-RANGE', 3, /first address must not be greater/],
  ['virtual6=[::1]:80\n\treal6=[::1]->[::3]:80 gate\n', 'E-RANGE', 2, /not supported for IPv6/],
  [vs('real=10.0.0.0->10.2.0.0:80 gate'), 'E-RANGE', 3, /at most 65536/],
  [`${V}${V}checktimeout=3\n`, 'E-DUPLICATE-VIRTUAL', 5, /duplicate virtual server tcp:192.0.2.1:80/],
  ['checktimeout=3\nvirtual=192.0.2.1:80', 'E-EMPTY-VIRTUAL', 2, /reads this line twice/],
  [vs('connecttimeout=3'), 'E-DEPRECATED', 3, /rename it to negotiatetimeout/],
  [`connecttimeout=3\n${V}`, 'E-DEPRECATED', 1, /negotiatetimeout/],
  [`timeout=3\n${V}`, 'E-DEPRECATED', 1, /checktimeout/],
  [` checktimeout=3\n${V}`, 'E-INDENT', 1, /column 0/],
  [`${V}     \n`, 'E-INDENT', 3, /only whitespace/],
  [`${V}  scheduler=rr\n`, 'E-INDENT', 3, /no virtual section is open/],
  [vs('monitorfile=/nonexistent/mon.log'), 'E-FILE', 3, /unable to open monitorfile \/nonexistent\/mon.log: No such file/],
  [`logfile="/readonly/ld.log"\n${V}`, 'E-FILE', 1, /unable to open logfile .*Permission denied/],
  [vs('receive="(?R)"'), 'E-REGEX', 3, /recursive patterns/],
  [vs('real=192.0.2.3:80 gate 1 "x", "a(?{ 1 })"'), 'E-REGEX', 3, /code blocks/],
];

test('every error code is reported on the right line with a fix hint', () => {
  const seen = new Set<string>();
  for (const [text, code, line, msg] of ERROR_CASES) {
    const errs = errors(text);
    const hit = errs.find((d) => d.code === code);
    assert.ok(hit, `${code} expected for:\n${text}\ngot ${errs.map(formatDiagnostic).join('; ')}`);
    assert.equal(hit.line, line, `${code} line for:\n${text}`);
    assert.match(hit.message, msg);
    assert.ok(hit.column >= 1);
    seen.add(code);
  }
  const errorCodes = DIAGNOSTIC_CODES.filter((c) => c.startsWith('E-'));
  assert.deepEqual(errorCodes.filter((c) => !seen.has(c)), [], 'every E- code has a case');
});

test('every warning code is emitted by some config', () => {
  const cases: [string, string][] = [
    [`checkcount=2\n${V}`, 'W-DEPRECATED'],
    [`supervised\n${V}`, 'W-DEPRECATED'],
    [vs('checkinterval=5'), 'W-IGNORED'],
    [vs('load="x"'), 'W-IGNORED'],
    [vs('real=192.0.2.2:80 masq'), 'W-DUPLICATE-REAL'],
    [`checktimeout=5s\n${V}`, 'W-TRAILING'],
    [`maintenancedir=/nope\n${V}`, 'W-MISSING-DIR'],
    [`logfile="nosuchfacility"\n${V}`, 'W-VALUE'],
    [`${V}\n\tscheduler=rr\n`, 'W-COMPAT'],
    [`${V}\tservice=imap\n\tlogin="u"\n\tpasswd="p"\n`, 'W-SECRET-READABLE'],
    [`smtp=192.0.2.25\nsmtpuser="alerts"\nsmtppasswd="p"\n${V}`, 'W-SMTPAUTH-CLEARTEXT'],
  ];
  const seen = new Set<string>();
  for (const [text, code] of cases) {
    const r = parse(text, { fileModes: { 'test.cf': 0o100644 } });
    assert.ok(r.config, `no errors expected:\n${text}`);
    assert.ok(r.diagnostics.some((d) => d.code === code && d.severity === 'warning'), `${code} for:\n${text}`);
    seen.add(code);
  }
  assert.deepEqual(DIAGNOSTIC_CODES.filter((c) => c.startsWith('W-') && !seen.has(c)), []);
});

test('three different mistakes give three diagnostics with correct lines, in ldirectord order', () => {
  const text = 'checktimeout=5\nautoreload=sometimes\nvirtual=192.0.2.1:80\n\treal=192.0.2.2:80 gate\n\tschedulr=rr\n\treal=192.0.2.3:80 gaet\n';
  const errs = errors(text);
  assert.deepEqual(errs.map((d) => [d.code, d.line]), [['E-BAD-VALUE', 2], ['E-UNKNOWN-DIRECTIVE', 5], ['E-FORWARD', 6]]);
});

test('a duplicate virtual is reported where ldirectord reports it, with notes at both sections', () => {
  const r = parse(`${V}\nvirtual=192.0.2.1:http\n\treal=192.0.2.3:80 gate\n`);
  assert.deepEqual(r.diagnostics.map((d) => [d.severity, d.line]), [['error', 5], ['note', 1], ['note', 4]]);
});

test('didYouMean only suggests close words', () => {
  assert.equal(didYouMean('schedulr', ['scheduler', 'service']), 'scheduler');
  assert.equal(didYouMean('xyz', ['scheduler', 'service']), undefined);
});

test('diagnostics render like a compiler', () => {
  const [d] = errors(vs('quiescent=maybe'));
  assert.equal(formatDiagnostic(d!), "test.cf:3:12: error[E-BAD-VALUE]: quiescent must be 'yes' or 'no', not `maybe`");
});
