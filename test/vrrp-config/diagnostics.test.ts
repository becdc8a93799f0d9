// Table-driven: one config per diagnostic code, asserting the code, its severity and
// the line (and column where it matters) it points at. The last test checks that the
// table covers every code the catalog declares.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VRRP_DIAGNOSTIC_CODES, type VrrpDiagnosticCode } from '../../src/vrrp-config/diagnostics.js';
import { MINIMAL, parse, repoFile } from './helpers.js';

interface Case {
  readonly code: VrrpDiagnosticCode;
  readonly text: string;
  readonly line: number;
  readonly column?: number;
  /** A word the message must contain (the fix hint). */
  readonly says?: string;
}

const inst = (extra: string) => MINIMAL + extra;
const CASES: readonly Case[] = [
  { code: 'E-SYNTAX', text: inst('= 5\n'), line: 5 },
  { code: 'E-SECTION-SYNTAX', text: '[global] ; main\n' + MINIMAL, line: 1, says: 'not a section' },
  { code: 'E-SECTION-NAME', text: MINIMAL + '[vrrp_instance VI.2]\n', line: 5, says: 'nested' },
  { code: 'E-SECTION-NAME', text: MINIMAL + '[vrrp_script]\n', line: 5, says: 'needs one name' },
  { code: 'E-UNKNOWN-SECTION', text: MINIMAL + '[vrrp_instanc VI_2]\n', line: 5, says: 'did you mean [vrrp_instance VI_2]' },
  { code: 'E-DUPLICATE-SECTION', text: MINIMAL + '[vrrp_instance VI_1]\npriority = 5\n', line: 5, says: 'merge' },
  { code: 'E-OUTSIDE-SECTION', text: 'router_id = x\n' + MINIMAL, line: 1 },
  { code: 'E-KEEPALIVED-SYNTAX', text: MINIMAL + 'authentication {\n', line: 5, says: 'import-keepalived' },
  { code: 'E-UNKNOWN-DIRECTIVE', text: inst('priorty = 5\n'), line: 5, column: 1, says: 'did you mean "priority"' },
  { code: 'E-UNKNOWN-DIRECTIVE', text: inst('emailalert = a@b\n'), line: 5, says: '[global]' },
  { code: 'E-NOT-A-LIST', text: inst('priority[] = 5\n'), line: 5 },
  { code: 'E-MISSING-VALUE', text: inst('auth_type = PASS\nauth_pass = #secret\n'), line: 6, says: 'quoted' },
  { code: 'E-MISSING-DIRECTIVE', text: '[vrrp_instance VI_1]\nvirtual_router_id = 5\n', line: 1, says: 'interface' },
  { code: 'E-MISSING-DIRECTIVE', text: MINIMAL + '[vrrp_script s]\ninterval = 2\n', line: 5, says: 'script =' },
  { code: 'E-MISSING-DIRECTIVE', text: MINIMAL + '[vrrp_sync_group G]\n', line: 5 },
  { code: 'E-BAD-INTEGER', text: inst('garp_master_repeat = many\n'), line: 5, column: 22 },
  { code: 'E-BAD-NUMBER', text: inst('advert_int = fast\n'), line: 5, column: 14 },
  { code: 'E-BAD-BOOLEAN', text: inst('smtp_alert = maybe\n'), line: 5 },
  { code: 'E-BAD-ENUM', text: inst('state = LEADER\n'), line: 5, says: 'MASTER, BACKUP' },
  { code: 'E-BAD-ENUM', text: inst('state = master\n'), line: 5, says: 'upper case' },
  { code: 'E-BAD-ENUM', text: inst('auth_type = AH\nauth_pass = x\n'), line: 5 },
  { code: 'E-BAD-ENUM', text: '[global]\nsplit_brain_action = panic\n' + MINIMAL, line: 2 },
  { code: 'E-BAD-ADDRESS', text: inst('unicast_peer[] = 10.0.0.300\n'), line: 5 },
  { code: 'E-BAD-ADDRESS', text: '[global]\nvrrp_mcast_group4 = 10.0.0.1\n' + MINIMAL, line: 2, says: 'multicast' },
  { code: 'E-BAD-VIP', text: inst('virtual_ipaddress[] = 10.0.0.5/33\n'), line: 5 },
  { code: 'E-BAD-VIP', text: inst('virtual_ipaddress[] = 10.0.0.5 device eth0\n'), line: 5, says: 'dev, label, scope, brd' },
  { code: 'E-BAD-HOSTPORT', text: '[global]\nsmtp = mail.example.com:99999\n' + MINIMAL, line: 2 },
  { code: 'E-BAD-EMAIL', text: '[global]\nemailalert = ops@example.com, on@call@x\n' + MINIMAL, line: 2, says: '"on@call@x"' },
  { code: 'E-BAD-COMMAND', text: inst('notify_master = /x.sh "unterminated\n'), line: 5 },
  { code: 'E-BAD-TRACK', text: inst('track_interface[] = eth1 weigth 5\n'), line: 5 },
  { code: 'E-RANGE', text: inst('preempt_delay = 5000\n'), line: 5 },
  { code: 'E-RANGE', text: inst('version = 3\nadvert_int = 50\n'), line: 6 },
  { code: 'E-RANGE', text: MINIMAL + '[vrrp_script s]\nscript = /bin/true\nweight = 300\n', line: 7 },
  { code: 'E-PRIORITY-RANGE', text: inst('priority = 256\n'), line: 5 },
  { code: 'E-PRIORITY-RANGE', text: inst('priority = 0\n'), line: 5 },
  { code: 'E-VRID-RANGE', text: '[vrrp_instance VI_1]\ninterface = eth0\nvirtual_router_id = 0\n', line: 3 },
  { code: 'E-V2-SUBSECOND', text: inst('advert_int = 0.5\n'), line: 5, says: 'version = 3' },
  { code: 'E-V2-IPV6', text: '[vrrp_instance V]\ninterface = eth0\nvirtual_router_id = 1\nversion = 2\nvirtual_ipaddress[] = fd00::1\n', line: 4 },
  { code: 'E-MIXED-FAMILY', text: inst('virtual_ipaddress[] = fd00::1\n'), line: 5 },
  { code: 'E-UNICAST-FAMILY', text: inst('unicast_peer[] = fd00::1\n'), line: 5 },
  { code: 'E-DUPLICATE-VRID', text: MINIMAL + '[vrrp_instance VI_2]\ninterface = eth0\nvirtual_router_id = 50\n', line: 7, says: 'VI_1' },
  { code: 'W-NOPREEMPT-MASTER', text: inst('state = MASTER\nnopreempt = yes\n'), line: 6, says: 'state = BACKUP' },
  { code: 'W-NOPREEMPT-MASTER', text: inst('priority = 255\nnopreempt\n'), line: 6, says: 'priority 255' },
  { code: 'W-PREEMPT-DELAY-IGNORED', text: inst('nopreempt = yes\npreempt_delay = 30\n'), line: 6 },
  { code: 'W-SYNC-GROUP-WEIGHT', text: inst('track_interface[] = eth1 weight -10\n') + '[vrrp_instance VI_2]\ninterface = eth0\nvirtual_router_id = 51\nvirtual_ipaddress[] = 10.0.0.2\n[vrrp_sync_group G]\ngroup[] = VI_1\ngroup[] = VI_2\n', line: 5, says: 'sync group G' },
  { code: 'E-AUTH-INCOMPLETE', text: inst('auth_type = PASS\n'), line: 5 },
  { code: 'E-UNDEFINED-SCRIPT', text: MINIMAL + 'track_script[] = chk_web\n[vrrp_script check_web]\nscript = /bin/true\n', line: 5, says: 'did you mean "check_web"' },
  { code: 'E-UNKNOWN-INSTANCE', text: MINIMAL + '[vrrp_sync_group G]\ngroup[] = VI_1\ngroup[] = VI_9\n', line: 7 },
  { code: 'E-INSTANCE-IN-TWO-GROUPS', text: MINIMAL + '[vrrp_sync_group G]\ngroup[] = VI_1\n[vrrp_sync_group H]\ngroup[] = VI_1\n', line: 8 },
  { code: 'E-NO-INSTANCES', text: '[global]\nrouter_id = x\n', line: 0 },
  { code: 'W-INLINE-COMMENT', text: inst('auth_type = PASS\nauth_pass = ab#cd\n'), line: 6, column: 15, says: '"ab"' },
  { code: 'W-PARTIAL-QUOTE', text: inst('notify_master = "/x.sh" ; run it\n'), line: 5 },
  { code: 'W-DUPLICATE-KEY', text: inst('priority = 10\npriority = 20\n'), line: 6, says: 'line 5' },
  { code: 'W-AUTH-PASS-TRUNCATED', text: inst('auth_type = PASS\nauth_pass = 123456789\n'), line: 6 },
  { code: 'W-AUTH-V3-IGNORED', text: inst('version = 3\nauth_type = PASS\nauth_pass = 1\n'), line: 6 },
  { code: 'W-SYNC-GROUP-STATE', text: inst('state = MASTER\n') + '[vrrp_instance VI_2]\ninterface = eth0\nvirtual_router_id = 51\nvirtual_ipaddress[] = 10.0.0.2\n[vrrp_sync_group G]\ngroup[] = VI_1\ngroup[] = VI_2\n', line: 1, says: 'VI_2 has priority 100' },
  { code: 'W-OWNER-WEIGHT', text: inst('state = MASTER\ntrack_script[] = s weight -5\n[vrrp_script s]\nscript = /bin/true\n'), line: 6, says: 'state MASTER without a priority' },
  { code: 'W-NO-VIPS', text: '[vrrp_instance V]\ninterface = eth0\nvirtual_router_id = 1\n', line: 1 },
  { code: 'E-STATUS-SECRET', text: '[global]\nstatus_secret = short\n' + MINIMAL, line: 2, says: 'at least 16' },
  { code: 'W-STATUS-LISTEN-WILDCARD', text: `[global]\nstatus_secret = ${'k'.repeat(16)}\nstatus_listen = 0.0.0.0:7474\n` + MINIMAL, line: 3, says: 'every address' },
  { code: 'W-STATUS-LISTEN-WILDCARD', text: `[global]\nstatus_secret = ${'k'.repeat(16)}\n` + inst('status_listen = [::]:7474\n'), line: 7 },
  { code: 'W-STATUS-NO-SECRET', text: '[global]\npeer = 10.0.0.11\n' + MINIMAL, line: 2, says: 'status_secret' },
  { code: 'W-STATUS-NO-SECRET', text: inst('peer = 10.0.0.11\n'), line: 5, says: 'never used as evidence' },
  { code: 'W-UNUSED-SCRIPT', text: MINIMAL + '[vrrp_script s]\nscript = /bin/true\n', line: 5 },
  { code: 'W-SMTPAUTH-CLEARTEXT', text: '[global]\nsmtp = 192.0.2.25\nsmtpuser = alerts\nsmtppasswd = "x"\n' + MINIMAL, line: 3, says: 'smtptls = starttls' },
];

for (const c of CASES) {
  test(`${c.code} at line ${c.line}${c.says ? ` (says ${c.says})` : ''}`, () => {
    const r = parse(c.text);
    const d = r.diagnostics.find((x) => x.code === c.code);
    assert.ok(d, `expected ${c.code}, got ${JSON.stringify(r.diagnostics)}`);
    assert.equal(d.line, c.line);
    if (c.column !== undefined) assert.equal(d.column, c.column);
    if (c.says) assert.ok(d.message.includes(c.says), d.message);
    assert.equal(d.file, 'test.cf');
    assert.equal(d.severity, c.code.startsWith('W-') ? 'warning' : 'error');
    // errors withhold the model; warnings alone do not
    assert.equal(r.config === undefined, r.diagnostics.some((x) => x.severity === 'error'));
  });
}

test('the table covers every code the parser declares (E-FILE is configtest\'s)', () => {
  const covered = new Set<string>(CASES.map((c) => c.code));
  covered.add('E-FILE');
  // needs the file's mode, not only its text: test/config/secret-warnings.test.ts
  covered.add('W-SECRET-READABLE');
  assert.deepEqual(Object.keys(VRRP_DIAGNOSTIC_CODES).filter((k) => !covered.has(k)), []);
});

test('all problems of a file are reported in one pass, in line order', () => {
  const r = parse('[vrrp_instance VI_1]\ninterface = eth0\nvirtual_router_id = 300\npriority = 0\nstate = LEADER\nfoo = 1\n');
  assert.deepEqual(r.diagnostics.map((d) => [d.line, d.code]), [
    [1, 'W-NO-VIPS'], [3, 'E-VRID-RANGE'], [4, 'E-PRIORITY-RANGE'], [5, 'E-BAD-ENUM'], [6, 'E-UNKNOWN-DIRECTIVE'],
  ]);
  assert.equal(r.config, undefined);
});

test('docs/vrrp-config.md documents every code', () => {
  const doc = repoFile('docs/vrrp-config.md');
  assert.deepEqual(Object.keys(VRRP_DIAGNOSTIC_CODES).filter((k) => !doc.includes(`\`${k}\``)), []);
});
