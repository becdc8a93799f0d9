// A ServiceCheckContext with harmless defaults, for the service check tests.
import type { ServiceCheckContext } from '../../../src/checks/types.js';

export function makeCtx(over: Partial<ServiceCheckContext> & Pick<ServiceCheckContext, 'service' | 'port'>): ServiceCheckContext {
  return {
    family: 'inet',
    host: '127.0.0.1',
    virtualAddress: '127.0.0.1',
    virtualPort: over.port,
    request: '/',
    receive: undefined,
    httpmethod: 'GET',
    virtualhost: undefined,
    login: '',
    passwd: '',
    database: '',
    secret: '',
    timeoutMs: 5000,
    hostname: 'director.test',
    ...over,
  };
}

/** A signal nobody aborts. */
export const never = (): AbortSignal => new AbortController().signal;
