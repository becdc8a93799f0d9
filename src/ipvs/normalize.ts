// What the kernel actually stores for a requested entry, so desired and observed
// tables compare equal when ipvsadm would consider them the same.
import type { IpvsFamily, IpvsForward, ServiceKey } from './types.js';

/**
 * Persistence granularity as `ipvsadm -L -n` shows it: only for persistent services
 * and only when not the default (255.255.255.255, or 128 for IPv6).
 */
export function normalizeNetmask(
  family: IpvsFamily,
  persistent: number | undefined,
  netmask: string | undefined,
): string | undefined {
  if (persistent === undefined || netmask === undefined || netmask === '') return undefined;
  if (family === 'inet' && netmask === '255.255.255.255') return undefined;
  if (family === 'inet6' && Number(netmask) === 128) return undefined;
  return family === 'inet6' ? String(Number(netmask)) : netmask;
}

/**
 * The port the kernel keeps for a destination: for an address:port service, ipvsadm
 * forces a gate (direct routing) or ipip destination onto the service's port
 * (ipvsadm.c process_options; ldirectord's _remove_service comment at L4002 relies on
 * it). Masquerading keeps its own port; fwmark services keep the given port (0 default).
 */
export function kernelDestPort(key: ServiceKey, forward: IpvsForward, port: number): number {
  if (key.protocol === 'fwm' || forward === 'masq') return port;
  return key.port;
}
