// Shared by the config tests: parse text with a table resolver (no DNS, no /etc).
import assert from 'node:assert/strict';
import { parseLdirectordCf } from '../../src/config/parse.js';
import { COMMON_SERVICES, staticResolver, type StaticResolverData } from '../../src/config/resolver.js';
import type { Config, Diagnostic, ParseResult, VirtualService } from '../../src/config/model.js';

export const TEST_RESOLVER_DATA: StaticResolverData = {
  services: COMMON_SERVICES,
  hosts: {
    localhost: { inet: '127.0.0.1', inet6: '::1' },
    'web1.example.com': { inet: '192.0.2.11', inet6: '2001:db8::11' },
    'web2.example.com': { inet: '192.0.2.12' },
    'lb.example.com': { inet: '192.0.2.1' },
  },
  hostname: 'director1',
  directories: ['/var/lib/haldir/maintenance'],
  unwritable: { '/readonly/': 'Permission denied', '/nonexistent/': 'No such file or directory' },
};

export function parse(text: string, extra: Partial<StaticResolverData> = {}): ParseResult {
  return parseLdirectordCf(text, { file: 'test.cf', resolver: staticResolver({ ...TEST_RESOLVER_DATA, ...extra }) });
}

export function ok(text: string): Config {
  const r = parse(text);
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors, [], `unexpected errors for:\n${text}`);
  assert.ok(r.config);
  return r.config;
}

/** The only virtual of a config with one virtual section. */
export function one(text: string): VirtualService {
  const c = ok(text);
  assert.equal(c.virtuals.length, 1);
  return c.virtuals[0]!;
}

export function errors(text: string): Diagnostic[] {
  const r = parse(text);
  assert.equal(r.config, undefined, `expected errors for:\n${text}`);
  return r.diagnostics.filter((d) => d.severity === 'error');
}

export function warnings(text: string): Diagnostic[] {
  return parse(text).diagnostics.filter((d) => d.severity === 'warning');
}

/** A virtual section around some indented lines. */
export function vs(...lines: string[]): string {
  return ['virtual=192.0.2.1:80', '\treal=192.0.2.2:80 gate', ...lines.map((l) => `\t${l}`)].join('\n') + '\n';
}
