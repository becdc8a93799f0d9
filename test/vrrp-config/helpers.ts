// Shared bits of the vrrp-config tests: repo paths and an in-memory CLI io.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { VrrpCliIo } from '../../src/vrrp-config/cli-io.js';
import { parseVrrpConfig } from '../../src/vrrp-config/parse.js';

/** Repo root from dist/test/vrrp-config/*.js (sources are not beside the build). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const repoFile = (rel: string): string => readFileSync(ROOT + rel, 'utf8');

export interface MemoryIo extends VrrpCliIo {
  out: string;
  err: string;
  readonly written: Map<string, string>;
}

export function memoryIo(files: Record<string, string> = {}): MemoryIo {
  const io: MemoryIo = {
    out: '',
    err: '',
    written: new Map(),
    hostname: 'testhost',
    stdout: (t) => void (io.out += t),
    stderr: (t) => void (io.err += t),
    readFile: async (p) => {
      const v = files[p];
      if (v === undefined) throw Object.assign(new Error(`ENOENT ${p}`), { code: 'ENOENT' });
      return v;
    },
    writeFile: async (p, t) => void io.written.set(p, t),
  };
  return io;
}

export const parse = (text: string) => parseVrrpConfig(text, 'test.cf', { hostname: 'testhost' });

/** A valid one-instance file to add a line or section to. */
export const MINIMAL = `[vrrp_instance VI_1]
interface = eth0
virtual_router_id = 50
virtual_ipaddress[] = 10.0.0.100/24
`;

/** keepalived 2.2.7 stops at VI_2: "No VIP specified; at least one is required" (strict mode). */
export const STRICT_NO_VIP = 'global_defs {\n  vrrp_strict\n}\nvrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 5\n  virtual_ipaddress {\n    10.0.0.1/24\n  }\n}\nvrrp_instance VI_2 {\n  interface eth0\n  virtual_router_id 6\n}\n';

/** `track_interface eth0` on one line: keepalived 2.2.7 reads lines 7-10 as interface names. */
export const TRACK_INTERFACE_INLINE = 'vrrp_instance VI_1 {\n  state MASTER\n  interface eth0\n  virtual_router_id 51\n  priority 150\n  track_interface eth0\n  authentication {\n    auth_type PASS\n    auth_pass 1111\n  }\n  virtual_ipaddress {\n    10.0.0.100/24\n  }\n}\n';
