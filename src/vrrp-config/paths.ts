/** Where haldir-vrrp looks for its config when none is named (beside ldirectord.cf). */
export const DEFAULT_VRRP_CF = '/etc/ha.d/vrrp.cf';
