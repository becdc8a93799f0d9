// The directives each vrrp.cf section accepts (keepalived 2.2.7's names, plus
// haldir's e-mail and split-brain extensions), and how many values each takes.
// One table drives unknown-key detection, did-you-mean and the docs' directive list.

/** one: `key = v`; list: `key[] = v` repeated (or one `key = v`); flag: yes/no, a bare key means yes. */
export type DirectiveShape = 'one' | 'list' | 'flag';

export type SectionKind = 'global' | 'vrrp_instance' | 'vrrp_script' | 'vrrp_sync_group';
export const SECTION_KINDS: readonly SectionKind[] = ['global', 'vrrp_instance', 'vrrp_script', 'vrrp_sync_group'];

const SPLIT_BRAIN: Record<string, DirectiveShape> = {
  peer: 'one',
  status_listen: 'one',
  split_brain_action: 'one',
  notify_split_brain: 'one',
  split_brain_probes: 'one',
};

export const DIRECTIVES: Readonly<Record<SectionKind, Readonly<Record<string, DirectiveShape>>>> = {
  global: {
    router_id: 'one',
    emailalert: 'list',
    emailalertfrom: 'one',
    smtp: 'one',
    smtp_connect_timeout: 'one',
    smtpuser: 'one',
    smtppasswd: 'one',
    smtptls: 'one',
    smtp_alert: 'flag',
    status_secret: 'one',
    vrrp_mcast_group4: 'one',
    vrrp_mcast_group6: 'one',
    vrrp_version: 'one',
    ...SPLIT_BRAIN,
  },
  vrrp_instance: {
    state: 'one',
    interface: 'one',
    virtual_router_id: 'one',
    priority: 'one',
    advert_int: 'one',
    version: 'one',
    nopreempt: 'flag',
    preempt_delay: 'one',
    auth_type: 'one',
    auth_pass: 'one',
    virtual_ipaddress: 'list',
    virtual_ipaddress_excluded: 'list',
    unicast_src_ip: 'one',
    unicast_peer: 'list',
    track_script: 'list',
    track_interface: 'list',
    notify_master: 'one',
    notify_backup: 'one',
    notify_fault: 'one',
    notify_stop: 'one',
    notify: 'one',
    smtp_alert: 'flag',
    garp_master_delay: 'one',
    garp_master_repeat: 'one',
    garp_master_refresh: 'one',
    lvs_sync_daemon_interface: 'one',
    ...SPLIT_BRAIN,
  },
  vrrp_script: {
    script: 'one',
    interval: 'one',
    timeout: 'one',
    weight: 'one',
    rise: 'one',
    fall: 'one',
  },
  vrrp_sync_group: {
    group: 'list',
    notify_master: 'one',
    notify_backup: 'one',
    notify_fault: 'one',
    notify_stop: 'one',
    notify: 'one',
  },
};

/** keepalived global_defs names accepted in [global] for the ldirectord-style names haldir uses. */
export const GLOBAL_ALIASES: Readonly<Record<string, string>> = {
  notification_email: 'emailalert',
  notification_email_from: 'emailalertfrom',
  smtp_server: 'smtp',
};

/** keepalived block names users paste as keys, and what to write instead. */
export const KEEPALIVED_HINTS: Readonly<Record<string, string>> = {
  authentication: 'write auth_type = PASS and auth_pass = SECRET',
  global_defs: 'the keepalived global_defs block is the [global] section',
  virtual_server: 'virtual servers belong in ldirectord.cf, not vrrp.cf',
  unicast_peers: 'write unicast_peer[] = ADDRESS, one line per peer',
  track_scripts: 'write track_script[] = NAME',
  track_interfaces: 'write track_interface[] = IFNAME',
};
