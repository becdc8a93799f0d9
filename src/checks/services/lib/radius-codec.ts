// Typed face of the `radius` npm package (it ships no types): the three calls the
// radius check needs.
import { createRequire } from 'node:module';
import { lazyModule } from './lazy-module.js';

export interface RadiusPacketArgs {
  readonly code: string;
  readonly secret: string;
  readonly identifier?: number;
  readonly attributes: ReadonlyArray<readonly [string, string | number]>;
}

export interface DecodedRadius {
  readonly code: string;
  readonly identifier: number;
  readonly attributes: Readonly<Record<string, unknown>>;
}

export interface RadiusModule {
  encode(args: RadiusPacketArgs): Buffer;
  decode_without_secret(args: { packet: Buffer }): DecodedRadius;
  verify_response(args: { request: Buffer; response: Buffer; secret: string }): boolean;
}

/** Loaded on first use (see lazy-module.ts). */
export const loadRadiusCodec = lazyModule(async () => createRequire(import.meta.url)('radius') as RadiusModule);
