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
