// haldir's command line: ldirectord's grammar (Getopt::Long "bundling", "require_order":
// options first, then [configfile] command) plus haldir's own options and configtest.
//   haldir [-d|--debug] [options] [configfile] start|stop|restart|try-restart|reload|force-reload|status [-v]
//   haldir [options] configtest|-t [--json] [configfile]
//   haldir -h|--help|-?    haldir -v|--version
// Anything else is a usage error; the caller prints USAGE and exits 255 (ldirectord's
// pod2usage(-exitval => -1)).

export const DAEMON_ACTIONS = ['start', 'stop', 'restart', 'try-restart', 'reload', 'force-reload', 'status'] as const;
/** haldir's own: `haldir demo` runs in the foreground with the memory backend (default etc/demo.cf). */
export const HALDIR_ACTIONS = ['demo'] as const;
export type DaemonAction = (typeof DAEMON_ACTIONS)[number] | (typeof HALDIR_ACTIONS)[number];
export type Backend = 'ipvsadm' | 'memory';

export interface HaldirOptions {
  readonly debug: boolean;
  readonly backend: Backend | undefined;
  readonly ipvsadm: string | undefined;
  readonly pidfile: string | undefined;
  readonly dryRun: boolean;
}

export type HaldirCommand =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | { readonly kind: 'usage'; readonly message: string }
  | {
      readonly kind: 'configtest';
      /** As given (looked up like ldirectord: /etc/ha.d/NAME, /etc/ha.d/conf/NAME, NAME). */
      readonly config: string;
      readonly json: boolean;
      readonly options: HaldirOptions;
    }
  | {
      readonly kind: 'daemon';
      readonly action: DaemonAction;
      readonly config: string;
      /** CFGNAME for the pid file: basename of the config, "ldirectord" when none was given. */
      readonly configName: string;
      readonly configGiven: boolean;
      /** `status -v`: also show the table and health. */
      readonly verbose: boolean;
      readonly options: HaldirOptions;
    };

export const DEFAULT_CONFIG = 'ldirectord.cf';

export const USAGE = `Usage: haldir [-d|--debug] [--backend ipvsadm|memory] [--ipvsadm PATH] [--pidfile PATH]
              [--dry-run] [configfile] start|stop|restart|try-restart|reload|force-reload|status [-v]
       haldir configtest|-t [--json] [configfile]
       haldir [configfile] demo
       haldir -h|--help
       haldir -v|--version

The config file is looked up as /etc/ha.d/NAME, /etc/ha.d/conf/NAME, then NAME
(default: ldirectord.cf).
`;

function usage(message: string): HaldirCommand {
  return { kind: 'usage', message };
}

/** Pure: argv without node and script (process.argv.slice(2)). */
export function parseHaldirArgs(argv: readonly string[]): HaldirCommand {
  let debug = false;
  let help = false;
  let version = false;
  let configtest = false;
  let json = false;
  let dryRun = false;
  let backend: Backend | undefined;
  let ipvsadm: string | undefined;
  let pidfile: string | undefined;
  let i = 0;
  // Options come first (require_order): the first non-option ends them.
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-') || a === '-') break;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      const inline = eq >= 0 ? a.slice(eq + 1) : undefined;
      const takeValue = (): string | undefined => inline ?? argv[++i];
      switch (name) {
        case 'debug':
          debug = true;
          break;
        case 'help':
          help = true;
          break;
        case 'version':
          version = true;
          break;
        case 'json':
          json = true;
          break;
        case 'dry-run':
          dryRun = true;
          break;
        case 'configtest':
          configtest = true;
          break;
        case 'backend': {
          const v = takeValue();
          if (v !== 'ipvsadm' && v !== 'memory') return usage(`--backend must be ipvsadm or memory${v === undefined ? '' : `, not "${v}"`}`);
          backend = v;
          break;
        }
        case 'ipvsadm':
        case 'pidfile': {
          const v = takeValue();
          if (v === undefined || v === '') return usage(`--${name} needs a path`);
          if (name === 'ipvsadm') ipvsadm = v;
          else pidfile = v;
          break;
        }
        default:
          return usage(`unknown option --${name}`);
      }
      continue;
    }
    // bundled single-letter flags: -d -h -? -v -t
    for (const ch of a.slice(1)) {
      if (ch === 'd') debug = true;
      else if (ch === 'h' || ch === '?') help = true;
      else if (ch === 'v') version = true;
      else if (ch === 't') configtest = true;
      else return usage(`unknown option -${ch}`);
    }
  }
  if (help) return { kind: 'help' };
  if (version) return { kind: 'version' };
  const options: HaldirOptions = { debug, backend, ipvsadm, pidfile, dryRun };
  let rest = argv.slice(i);
  // configtest also takes --json after the command word.
  const restJson = rest.filter((a) => a === '--json');
  if (restJson.length > 0) {
    json = true;
    rest = rest.filter((a) => a !== '--json');
  }
  const ctIdx = rest.indexOf('configtest');
  if (configtest || (ctIdx >= 0 && ctIdx <= 1)) {
    if (ctIdx >= 0) rest = [...rest.slice(0, ctIdx), ...rest.slice(ctIdx + 1)];
    if (rest.length > 1) return usage(`configtest takes at most one config file, got: ${rest.join(' ')}`);
    if (rest.some((a) => a.startsWith('-'))) return usage(`unknown option ${rest[0]}`);
    return { kind: 'configtest', config: rest[0] ?? DEFAULT_CONFIG, json, options };
  }
  if (json) return usage('--json is only valid with configtest');
  let verbose = false;
  if (rest.length >= 2 && rest[rest.length - 1] === '-v' && rest[rest.length - 2] === 'status') {
    verbose = true;
    rest = rest.slice(0, -1);
  }
  if (rest.length === 0) return usage('missing command');
  // ldirectord: one argument is the command, two are config and command (more are ignored).
  const [config, action] = rest.length === 1 ? [DEFAULT_CONFIG, rest[0]!] : [rest[0]!, rest[1]!];
  if (![...DAEMON_ACTIONS, ...HALDIR_ACTIONS].includes(action as DaemonAction)) return usage(`unknown command "${action}"`);
  // like ldirectord, arguments after the command are ignored
  const configGiven = rest.length >= 2;
  return {
    kind: 'daemon',
    action: action as DaemonAction,
    config,
    configName: configGiven ? (/([^/]+)$/.exec(config)?.[1] ?? config) : 'ldirectord',
    configGiven,
    verbose,
    options,
  };
}

/**
 * The command line that parseHaldirArgs reads back as these options, config and action
 * (without node and script): what a re-executed daemon or a companion instance is given.
 */
export function formatHaldirArgs(options: Partial<HaldirOptions>, config: string | undefined, action: DaemonAction): string[] {
  const argv: string[] = [];
  if (options.debug) argv.push('--debug');
  if (options.backend) argv.push('--backend', options.backend);
  if (options.ipvsadm) argv.push('--ipvsadm', options.ipvsadm);
  if (options.pidfile) argv.push('--pidfile', options.pidfile);
  if (options.dryRun) argv.push('--dry-run');
  // A config file named like an option must not be read as one.
  if (config !== undefined && config.startsWith('-')) argv.push('--');
  if (config !== undefined) argv.push(config);
  argv.push(action);
  return argv;
}
