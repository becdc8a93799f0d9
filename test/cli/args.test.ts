// parseHaldirArgs: ldirectord's grammar plus haldir's options, as a pure function.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatHaldirArgs, parseHaldirArgs, type HaldirCommand } from '../../src/cli/args.js';

const NO_OPTS = { debug: false, backend: undefined, ipvsadm: undefined, pidfile: undefined, dryRun: false };

test('ldirectord forms: [-d] [configfile] command', () => {
  assert.deepEqual(parseHaldirArgs(['start']), { kind: 'daemon', action: 'start', config: 'ldirectord.cf', configName: 'ldirectord', configGiven: false, verbose: false, options: NO_OPTS });
  assert.deepEqual(parseHaldirArgs(['-d', '/etc/ha.d/web.cf', 'reload']), { kind: 'daemon', action: 'reload', config: '/etc/ha.d/web.cf', configName: 'web.cf', configGiven: true, verbose: false, options: { ...NO_OPTS, debug: true } });
  for (const a of ['start', 'stop', 'restart', 'try-restart', 'reload', 'force-reload', 'status']) {
    const c = parseHaldirArgs(['--debug', 'x.cf', a]);
    assert.equal(c.kind, 'daemon');
    assert.equal((c as Extract<HaldirCommand, { kind: 'daemon' }>).action, a);
  }
});

test('haldir options come before the config file', () => {
  const c = parseHaldirArgs(['--backend', 'memory', '--ipvsadm=/opt/ipvsadm', '--pidfile', '/run/x.pid', '--dry-run', 'x.cf', 'start']);
  assert.deepEqual(c, { kind: 'daemon', action: 'start', config: 'x.cf', configName: 'x.cf', configGiven: true, verbose: false, options: { debug: false, backend: 'memory', ipvsadm: '/opt/ipvsadm', pidfile: '/run/x.pid', dryRun: true } });
  assert.equal(parseHaldirArgs(['--backend', 'nft', 'start']).kind, 'usage');
  assert.equal(parseHaldirArgs(['--pidfile']).kind, 'usage');
});

test('status -v is verbose status', () => {
  const c = parseHaldirArgs(['x.cf', 'status', '-v']);
  assert.equal(c.kind === 'daemon' && c.verbose && c.action === 'status', true);
});

test('help, version, bundling', () => {
  for (const a of [['-h'], ['--help'], ['-?'], ['-dh']]) assert.deepEqual(parseHaldirArgs(a), { kind: 'help' }, a.join(' '));
  for (const a of [['-v'], ['--version'], ['-dv']]) assert.deepEqual(parseHaldirArgs(a), { kind: 'version' }, a.join(' '));
});

test('configtest: word or -t, --json, optional config', () => {
  assert.deepEqual(parseHaldirArgs(['configtest']), { kind: 'configtest', config: 'ldirectord.cf', json: false, options: NO_OPTS });
  assert.deepEqual(parseHaldirArgs(['configtest', 'a.cf']), { kind: 'configtest', config: 'a.cf', json: false, options: NO_OPTS });
  assert.deepEqual(parseHaldirArgs(['a.cf', 'configtest']), { kind: 'configtest', config: 'a.cf', json: false, options: NO_OPTS });
  assert.deepEqual(parseHaldirArgs(['-t', '--json', 'a.cf']), { kind: 'configtest', config: 'a.cf', json: true, options: NO_OPTS });
  assert.deepEqual(parseHaldirArgs(['configtest', '--json']), { kind: 'configtest', config: 'ldirectord.cf', json: true, options: NO_OPTS });
  assert.equal(parseHaldirArgs(['configtest', 'a.cf', 'b.cf']).kind, 'usage');
});

test('anything else is a usage error (exit 255)', () => {
  for (const a of [[], ['bogus'], ['x.cf', 'bogus'], ['-x', 'start'], ['--nope', 'start'], ['start', '-d'], ['--json', 'start']]) {
    assert.equal(parseHaldirArgs(a).kind, 'usage', a.join(' '));
  }
});

test('formatHaldirArgs is read back by parseHaldirArgs as the same command', () => {
  const options = { debug: true, backend: 'memory' as const, ipvsadm: '/x/ipvsadm', pidfile: '/run/h.pid', dryRun: true };
  const cases: [string | undefined, 'start' | 'reload'][] = [['site.cf', 'start'], [undefined, 'start'], ['-odd.cf', 'reload']];
  for (const [config, action] of cases) {
    const cmd = parseHaldirArgs(formatHaldirArgs(options, config, action));
    assert.equal(cmd.kind, 'daemon');
    if (cmd.kind !== 'daemon') continue;
    assert.deepEqual(cmd.options, options);
    assert.equal(cmd.action, action);
    assert.equal(cmd.config, config ?? 'ldirectord.cf');
    assert.equal(cmd.configGiven, config !== undefined);
  }
  assert.deepEqual(formatHaldirArgs({}, 'other.cf', 'stop'), ['other.cf', 'stop']);
});
