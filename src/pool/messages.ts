// ldirectord's exact log texts for table changes (_restore_service L4091,
// _remove_service L3971, purge_untracked_service L4394, purge_virtual L4417, ld_start
// L2617). `server` is "RIP:RPORT" ("[v6]:port"), `virtual` is get_virtual's
// "VIP:VPORT", "[v6]:port" or the bare fwmark.

export type Tag = 'real' | 'fallback';

export const messages = {
  added: (tag: Tag, server: string, virtual: string, weight: number) =>
    `Added ${tag} server: ${server} (${virtual}) (Weight set to ${weight})`,
  restored: (tag: Tag, server: string, virtual: string, weight: number) =>
    `Restored ${tag} server: ${server} (${virtual}) (Weight set to ${weight})`,
  /** `mappedFrom`: the configured RIP:RPORT when ipvsadm moved a gate/ipip real onto the VPORT. */
  quiescent: (server: string, virtual: string, mappedFrom?: string) =>
    `Quiescent real server: ${server} ${mapped(mappedFrom)}(${virtual}) (Weight set to 0)`,
  readdQuiescent: (server: string, virtual: string, mappedFrom?: string) =>
    `Readd Quiescent real server: ${server} ${mapped(mappedFrom)}(${virtual}) (Weight set to 0)`,
  deleted: (tag: Tag, server: string, virtual: string, mappedFrom?: string) =>
    `Deleted ${tag} server: ${server} ${mapped(mappedFrom)}(${virtual})`,
  purgedReal: (phase: 'start' | 'stop', server: string, virtual: string) =>
    `Purged real server (${phase}): ${server} (${virtual})`,
  purgedVirtual: (phase: 'start' | 'stop', virtual: string) => `Purged virtual server (${phase}): ${virtual}`,
  addedVirtual: (virtual: string) => `Added virtual server: ${virtual}`,
  changedVirtual: (virtual: string) => `Changed virtual server: ${virtual}`,
} as const;

function mapped(from: string | undefined): string {
  return from === undefined ? '' : `mapped from ${from} `;
}
