// Adding and removing virtual addresses with iproute2, as keepalived's vrrp_ipaddress.c
// does through netlink: `ip addr add ADDR/PFX dev DEV [label L] [scope S]`. Adding an
// address that is already there, or removing one that is gone, is not an error (a
// reload or a crashed earlier run leaves exactly that state behind).

import { execFile } from '../runtime/exec.js';
import type { Logger } from '../runtime/logger.js';
import type { VipSpec } from './instance.js';

export interface VipOps {
  add(v: VipSpec, dev: string): Promise<void>;
  remove(v: VipSpec, dev: string): Promise<void>;
}

/** argv for `ip addr add|del`; pure so tests can check it. */
export function ipAddrArgv(ipPath: string, op: 'add' | 'del', v: VipSpec, dev: string): string[] {
  const family = v.address.includes(':') ? '-6' : '-4';
  const addr = v.address.includes('/') ? v.address : `${v.address}/${family === '-6' ? 128 : 32}`;
  const argv = [ipPath, family, 'addr', op, addr, 'dev', v.dev ?? dev];
  if (op === 'add') {
    if (v.label) argv.push('label', v.label);
    if (v.scope) argv.push('scope', v.scope);
    // keepalived adds IPv6 VIPs with IFA_F_NODAD: the address must work at once.
    if (family === '-6') argv.push('nodad');
  }
  return argv;
}

export function ipVipOps(log: Logger, ipPath = 'ip'): VipOps {
  const run = async (op: 'add' | 'del', v: VipSpec, dev: string): Promise<void> => {
    const r = await execFile(ipAddrArgv(ipPath, op, v, dev), { timeoutMs: 5000 });
    if (r.code === 0) return;
    const msg = (r.stderr || r.error || '').trim();
    if (op === 'add' && /File exists/.test(msg)) return;
    if (op === 'del' && /Cannot assign requested address|No such|not found/i.test(msg)) return;
    log.error(`VRRP-VIP: ip addr ${op} ${v.address} dev ${v.dev ?? dev} failed: ${msg || `exit ${r.code}`}; check the interface exists and we run with CAP_NET_ADMIN`);
  };
  return { add: (v, d) => run('add', v, d), remove: (v, d) => run('del', v, d) };
}
