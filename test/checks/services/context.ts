// A ServiceCheckContext with harmless defaults, for the service check tests.
import { receiveOf } from '../../../src/checks/receive.js';
import type { ServiceCheckContext } from '../../../src/checks/types.js';

/** `receive` may be given as a plain RegExp; it is wrapped as the checks expect. */
export function makeCtx(
  over: Partial<Omit<ServiceCheckContext, 'receive'>> & Pick<ServiceCheckContext, 'service' | 'port'> & { receive?: RegExp },
): ServiceCheckContext {
  const { receive, ...rest } = over;
  return {
    family: 'inet',
    host: '127.0.0.1',
    virtualAddress: '127.0.0.1',
    virtualPort: over.port,
    request: '/',
    httpmethod: 'GET',
    virtualhost: undefined,
    login: '',
    passwd: '',
    database: '',
    secret: '',
    timeoutMs: 5000,
    hostname: 'director.test',
    ...rest,
    receive: receive === undefined ? undefined : receiveOf(receive),
  };
}

/** A signal nobody aborts. */
export const never = (): AbortSignal => new AbortController().signal;
