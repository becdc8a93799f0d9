// Paths of the repo's own fixtures (never /work/shared at test time).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Repo root, from dist/test/ipvs/*.js or test/ipvs/*.ts alike. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const standInIpvsadm = `${repoRoot}test/fixtures/bin/ipvsadm`;

export function fixture(name: string): string {
  return readFileSync(`${repoRoot}test/fixtures/ipvsadm/${name}`, 'utf8');
}
