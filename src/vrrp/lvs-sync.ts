// lvs_sync_daemon_interface: keep the kernel's IPVS connection-sync daemon in the role
// of the VRRP state (keepalived ipvswrapper.c): MASTER runs the master daemon, BACKUP
// the backup one, FAULT/stop neither. Done with `ipvsadm --start-daemon ROLE
// --mcast-interface IF` (ipvsadm path settable).

import { execFile } from '../runtime/exec.js';
import type { Logger } from '../runtime/logger.js';
import type { VrrpState } from './instance.js';

export function lvsSyncCommands(ipvsadm: string, iface: string, to: VrrpState): string[][] {
  const stop = (role: string): string[] => [ipvsadm, '--stop-daemon', role];
  const start = (role: string): string[] => [ipvsadm, '--start-daemon', role, '--mcast-interface', iface];
  if (to === 'MASTER') return [stop('backup'), start('master')];
  if (to === 'BACKUP') return [stop('master'), start('backup')];
  return [stop('master'), stop('backup')];
}

export async function runLvsSync(log: Logger, argvs: string[][]): Promise<void> {
  for (const argv of argvs) {
    const r = await execFile(argv, { timeoutMs: 5000 });
    // Stopping a daemon that is not running fails harmlessly.
    if (r.error) log.error(`VRRP-LVSSYNC: cannot run ${argv[0]}: ${r.error}`);
    else if (r.code !== 0 && argv[1] === '--start-daemon') log.warn(`VRRP-LVSSYNC: ${argv.join(' ')}: ${r.stderr.trim()}`);
  }
}
