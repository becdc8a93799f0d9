// Runs ldirectord 4.12's own check subs (lifted from the installed /usr/sbin/ldirectord)
// under Perl on a list of cases, so tests can put haldir's verdict next to ldirectord's
// against the very same server. service_set/ld_debug/ld_log are stubbed to record the
// verdict; everything else is ldirectord's code and its Perl client modules.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ldirectordSubs } from '../../helpers/servers/ldirectord-subs.js';

/** The ldirectord sub a service runs (_check_real), and its extra argument. */
export const LD_SUB: Readonly<Record<string, { sub: string; arg?: number }>> = {
  smtp: { sub: 'check_smtp' },
  submission: { sub: 'check_smtp' },
  pop: { sub: 'check_pop', arg: 0 },
  pops: { sub: 'check_pop', arg: 1 },
  imap: { sub: 'check_imap' },
  imaps: { sub: 'check_imaps' },
  ldap: { sub: 'check_ldap' },
  ldaps: { sub: 'check_ldap' },
  nntp: { sub: 'check_nntp' },
  dns: { sub: 'check_dns' },
  sip: { sub: 'check_sip' },
  radius: { sub: 'check_radius' },
  ftp: { sub: 'check_ftp' },
  mysql: { sub: 'check_mysql' },
  pgsql: { sub: 'check_pgsql' },
};

const SUBS = [
  ...new Set(Object.values(LD_SUB).map((s) => s.sub)),
  'check_sql',
  'check_sql_log_errstr',
  'ld_checkport',
  'ld_open_socket',
  'ld_get_addrport',
  'ld_strip_brackets',
];

/** ldirectord's %v and %r for one check (request with its leading '/', Perl receive). */
export interface LdCase {
  readonly v: {
    readonly service: string;
    readonly protocol: string;
    readonly login: string;
    readonly passwd: string;
    readonly database: string;
    readonly secret: string;
    readonly negotiatetimeout: number;
    readonly checktimeout: number;
  };
  readonly r: { readonly server: string; readonly port: number; readonly request: string; readonly receive: string };
}

function harness(): string {
  const subs = ldirectordSubs(SUBS);
  return `
no strict; no warnings;
use Socket; use Socket6 qw(inet_pton inet_ntop); use JSON::PP;
$SERVICE_UP = 0; $SERVICE_DOWN = 1; $DEBUG = 0;
our ($VERDICT, $MSG);
sub service_set { my ($v, $r, $state, $flags, $msg) = @_; $VERDICT = $state; $MSG = $msg; }
sub ld_debug {}
sub ld_log {}
${subs.join('\n')}
my $in = decode_json(do { local $/; <STDIN> });
my %args = %{decode_json('${JSON.stringify(Object.fromEntries(Object.entries(LD_SUB).map(([k, v]) => [k, v.arg ?? null])))}')};
my %subs = %{decode_json('${JSON.stringify(Object.fromEntries(Object.entries(LD_SUB).map(([k, v]) => [k, v.sub])))}')};
my @out;
for my $c (@{$in->{cases}}) {
  $VERDICT = 'none'; $MSG = undef;
  my $t0 = time;
  my $name = $subs{$c->{v}{service}};
  my @extra = defined $args{$c->{v}{service}} ? ($args{$c->{v}{service}}) : ();
  eval { local $SIG{ALRM} = sub { die "outer alarm\\n" }; alarm 30; &{\\&{$name}}($c->{v}, $c->{r}, @extra); alarm 0; };
  alarm 0;
  print STDERR "case $name: $@" if $@;
  print STDERR "time $c->{v}{service} $c->{r}{port}: ", time - $t0, "\n" if $ENV{HALDIR_LD_DEBUG};
  push @out, { state => $VERDICT, message => $MSG };
}
open(my $fh, '>', $in->{out}) or die; print $fh encode_json(\\@out); close $fh;
`;
}

/** What ldirectord's service_set was told: 'up' | 'down' ('none' if never called), and its message. */
export interface LdVerdict {
  readonly state: string;
  readonly message: string | null;
}

/** ldirectord's verdicts, in case order. */
export async function ldirectordVerdicts(cases: readonly LdCase[]): Promise<LdVerdict[]> {
  const dir = mkdtempSync(join(tmpdir(), 'haldir-ldchecks-'));
  try {
    const script = join(dir, 'checks.pl');
    const out = join(dir, 'out.json');
    writeFileSync(script, harness());
    const child = spawn('perl', [script], { stdio: ['pipe', 'ignore', process.env.HALDIR_LD_DEBUG ? 'inherit' : 'pipe'] });
    let err = '';
    child.stderr?.on('data', (b: Buffer) => {
      err = (err + b.toString()).slice(-4000);
    });
    child.stdin?.end(JSON.stringify({ cases, out }));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    if (code !== 0) throw new Error(`ldirectord harness exited ${code}:\n${err}`);
    return JSON.parse(readFileSync(out, 'utf8')) as LdVerdict[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
