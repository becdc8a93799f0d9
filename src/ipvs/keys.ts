// Identity strings for services and destinations. A service id is ldirectord's
// virtual id (get_virtual_id_str, L5072): "tcp:10.0.0.1:80", "udp:[::1]:53",
// "fwm:5", "fwm6:5"; so a config virtual's `id` and the kernel entry it owns match.
import type { IpvsFamily, ServiceKey } from './types.js';

/** Canonical text of a numeric address (IPv6 compressed as inet_ntop prints it). */
export function canonicalAddress(address: string): string {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  if (!bare.includes(':')) return bare;
  try {
    const host = new URL(`http://[${bare}]/`).hostname;
    return host.slice(1, -1);
  } catch {
    return bare.toLowerCase();
  }
}

export function familyOf(address: string): IpvsFamily {
  return address.includes(':') ? 'inet6' : 'inet';
}

/** "10.0.0.1:80" or "[2001:db8::1]:80": ipvsadm's and ldirectord's address:port form. */
export function addrPort(address: string, port: number): string {
  return familyOf(address) === 'inet6' ? `[${address}]:${port}` : `${address}:${port}`;
}

export function serviceId(key: ServiceKey): string {
  if (key.protocol === 'fwm') return `fwm${key.family === 'inet6' ? '6' : ''}:${key.fwmark ?? 0}`;
  return `${key.protocol}:${addrPort(key.address ?? '', key.port)}`;
}

/** A destination's identity inside its service. */
export function destKey(dest: { readonly address: string; readonly port: number }): string {
  return addrPort(dest.address, dest.port);
}

/** ldirectord's get_virtual (L4976): "VIP:VPORT", "[V6]:VPORT" or the bare fwmark. */
export function virtualLabel(key: ServiceKey): string {
  if (key.protocol === 'fwm') return String(key.fwmark ?? 0);
  return addrPort(key.address ?? '', key.port);
}

export function sameServiceKey(a: ServiceKey, b: ServiceKey): boolean {
  return serviceId(a) === serviceId(b);
}
