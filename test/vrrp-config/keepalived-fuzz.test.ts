// Randomized differential test: fast-check writes keepalived.conf files from the directives
// haldir supports (random states, priorities, versions, intervals, preemption, auth, VIPs,
// tracking, sync groups), real keepalived 2.2.7 dumps what it makes of each (-d, in a
// network namespace), and haldir's model of the imported vrrp.cf must match it field by field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fc } from '../helpers/fuzz.js';
import { importKeepalived } from '../../src/vrrp-config/import-keepalived.js';
import { compareGroup, compareInstance } from './keepalived-compare.js';
import { keepalivedDump } from './keepalived-dump.js';
import { parse } from './helpers.js';

const skip = process.getuid?.() === 0 ? false : 'needs root: keepalived runs in a network namespace the test creates';

const instanceArb = fc.record({
  state: fc.constantFrom(undefined, 'MASTER', 'BACKUP'),
  // also values keepalived rejects (it then uses 100)
  priority: fc.option(fc.oneof(fc.integer({ min: 1, max: 254 }), fc.constant(255), fc.constantFrom('0', '300', 'high')), { nil: undefined }),
  version: fc.constantFrom(undefined, 2, 3),
  advert: fc.constantFrom(undefined, '1', '2', '3', '0.5', '1.5', '0.25', '0.123'),
  nopreempt: fc.boolean(),
  preempt: fc.boolean(),
  strictMode: fc.constantFrom(undefined, 'on', 'off'),
  preemptDelay: fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }),
  pass: fc.option(fc.stringMatching(/^[A-Za-z0-9]{1,12}$/), { nil: undefined }),
  ipv6: fc.boolean(),
  vips: fc.integer({ min: 1, max: 3 }),
  prefix: fc.option(fc.integer({ min: 8, max: 32 }), { nil: undefined }),
  garpDelay: fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }),
  garpRepeat: fc.option(fc.integer({ min: 1, max: 10 }), { nil: undefined }),
  garpRefresh: fc.option(fc.integer({ min: 0, max: 120 }), { nil: undefined }),
  smtpAlert: fc.boolean(),
  trackIf: fc.option(fc.integer({ min: -50, max: 50 }), { nil: undefined }),
  trackScript: fc.option(fc.integer({ min: -50, max: 50 }), { nil: undefined }),
  unicast: fc.boolean(),
  excluded: fc.boolean(),
  notify: fc.boolean(),
});

const globalArb = fc.record({
  version: fc.constantFrom(undefined, 2, 3),
  mcast: fc.constantFrom(undefined, '224.0.4.223'),
  syncGroup: fc.boolean(),
  strict: fc.boolean(),
});

type Inst = typeof instanceArb extends fc.Arbitrary<infer T> ? T : never;

function render(instances: readonly Inst[], g: { version: number | undefined; mcast: string | undefined; syncGroup: boolean; strict: boolean }): string {
  const syncGroup = g.syncGroup;
  const out: string[] = ['global_defs {', '  router_id FUZZ', '  script_user root', '  enable_script_security'];
  if (g.version) out.push(`  vrrp_version ${g.version}`);
  if (g.mcast) out.push(`  vrrp_mcast_group4 ${g.mcast}`);
  if (g.strict) out.push('  vrrp_strict');
  out.push('}', 'vrrp_script chk {', '  script "/bin/true"', '  weight -10', '}');
  instances.forEach((i, n) => {
    out.push(`vrrp_instance VI_${n} {`, '  interface eth0', `  virtual_router_id ${n + 1}`);
    if (i.state) out.push(`  state ${i.state}`);
    if (i.priority !== undefined) out.push(`  priority ${i.priority}`);
    // an IPv6 instance gets no explicit v2 (haldir refuses it: E-V2-IPV6)
    const version = i.ipv6 && i.version === 2 ? 3 : i.version;
    if (version) out.push(`  version ${version}`);
    if (i.advert) out.push(`  advert_int ${i.advert}`);
    if (i.strictMode) out.push(`  strict_mode ${i.strictMode}`);
    if (i.nopreempt) out.push('  nopreempt');
    if (i.preempt) out.push('  preempt');
    if (i.preemptDelay !== undefined) out.push(`  preempt_delay ${i.preemptDelay}`);
    if (i.pass !== undefined && !i.ipv6 && version !== 3) out.push('  authentication {', '    auth_type PASS', `    auth_pass ${i.pass}`, '  }');
    out.push('  virtual_ipaddress {');
    for (let v = 0; v < i.vips; v++) {
      out.push(i.ipv6 ? `    fd00:${n}::${v + 1}/64` : `    10.${n}.0.${v + 1}${i.prefix !== undefined ? `/${i.prefix}` : ''}`);
    }
    out.push('  }');
    if (i.excluded) out.push('  virtual_ipaddress_excluded {', i.ipv6 ? `    fd99:${n}::1/64` : `    10.99.${n}.1/24`, '  }');
    if (i.unicast && !i.ipv6) out.push('  unicast_src_ip 10.250.0.1', '  unicast_peer {', `    10.250.0.${n + 2}`, '  }');
    if (i.notify) out.push(`  notify_master "/bin/true master ${n}"`, '  notify /bin/true');
    if (i.garpDelay !== undefined) out.push(`  garp_master_delay ${i.garpDelay}`);
    if (i.garpRepeat !== undefined) out.push(`  garp_master_repeat ${i.garpRepeat}`);
    if (i.garpRefresh !== undefined) out.push(`  garp_master_refresh ${i.garpRefresh}`);
    if (i.smtpAlert) out.push('  smtp_alert');
    if (i.trackIf !== undefined) out.push('  track_interface {', `    eth1${i.trackIf ? ` weight ${i.trackIf}` : ''}`, '  }');
    if (i.trackScript !== undefined) out.push('  track_script {', `    chk${i.trackScript ? ` weight ${i.trackScript}` : ''}`, '  }');
    out.push('}');
  });
  if (syncGroup && instances.length >= 2) out.push('vrrp_sync_group G {', '  group {', '    VI_0', '    VI_1', '  }', '  notify_backup "/bin/true group"', '  notify /bin/true', '}');
  return out.join('\n') + '\n';
}

test('random keepalived.conf files: keepalived -d and haldir\'s model agree', { skip, timeout: 240_000 }, async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(instanceArb, { minLength: 1, maxLength: 3 }), globalArb, async (instances, g) => {
      const conf = render(instances, g);
      const imported = importKeepalived(conf, 'fuzz.conf');
      const parsed = parse(imported.vrrpCf);
      assert.ok(parsed.config, `${conf}\n--- vrrp.cf:\n${imported.vrrpCf}\n${JSON.stringify(parsed.diagnostics)}`);
      const dump = await keepalivedDump(conf, ['eth0', 'eth1']);
      assert.deepEqual([...dump.instances.keys()].sort(), parsed.config.instances.map((i) => i.name).sort(), `${conf}\n${dump.log}`);
      for (const i of parsed.config.instances) {
        const k = dump.instances.get(i.name);
        assert.ok(k);
        try {
          compareInstance(k, i, parsed.config, i.name);
        } catch (e) {
          throw new Error(`${e instanceof Error ? e.message : String(e)}\n--- keepalived.conf:\n${conf}--- vrrp.cf:\n${imported.vrrpCf}`);
        }
      }
      for (const sg of parsed.config.syncGroups) compareGroup(dump.groups.get(sg.name)!, sg, `sync group ${sg.name}\n${conf}`);
    }),
    { numRuns: 25, includeErrorInReport: true },
  );
});
