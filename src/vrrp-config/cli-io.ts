// The little I/O surface haldir-vrrp's config subcommands need, injected so tests
// drive them with strings and the CLI with the process's streams.

import { readFile, stat, writeFile } from 'node:fs/promises';

export interface VrrpCliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly readFile: (path: string) => Promise<string>;
  readonly writeFile: (path: string, text: string) => Promise<void>;
  /** Default router_id (the host name) for configs that set none. */
  readonly hostname?: string;
  /** st_mode of a file (for the "secret in a readable file" warning); undefined = unknown. */
  readonly fileMode?: (path: string) => Promise<number | undefined>;
}

export const processIo: VrrpCliIo = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  readFile: (p) => readFile(p, 'utf8'),
  writeFile: (p, t) => writeFile(p, t, { encoding: 'utf8', mode: 0o600 }),
  fileMode: async (p) => (p === '-' ? undefined : (await stat(p).catch(() => undefined))?.mode),
};

/** Read a file or report `file: error[E-FILE]: ...` (exit code 1 for the caller). */
export async function readOrReport(io: VrrpCliIo, path: string, command: string): Promise<string | undefined> {
  try {
    return await io.readFile(path);
  } catch (e) {
    const why = e instanceof Error && 'code' in e ? String((e as NodeJS.ErrnoException).code) : String(e);
    io.stderr(`${path}: error[E-FILE]: cannot read (${why}); usage: haldir-vrrp ${command}\n`);
    return undefined;
  }
}
