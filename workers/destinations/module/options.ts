/**
 * `{ type: 'module', module, options? }`: a destination from the user's own module, loaded
 * in the sink (module.ts).
 */
import { isAbsolute, resolve } from 'node:path';
import {
  COMMON_FIELDS,
  type DestinationKind,
  type Plain,
  type SpecBase,
} from '../../../src/config/destination-kind.js';
import { any, type Resolved, str, table } from '../../../src/config/validate.js';

export interface ModuleOptions {
  type: 'module';
  /** Path or URL of an ESM or CJS module whose default export is a destination factory. */
  module: string;
  /** Passed to the factory as it is. */
  options?: unknown;
  level?: string | number;
}

export interface ModuleSpec extends SpecBase {
  kind: 'module';
  /** Absolute path, URL or package name. */
  specifier: string;
  options: unknown;
}

const FIELDS = {
  ...COMMON_FIELDS,
  module: str({ required: true, expected: 'a module path or URL' }),
  options: any(),
};

/** Relative paths are the caller's, not the worker's: anchored here. */
export const anchorPath = (p: string): string =>
  p.startsWith('.') || isAbsolute(p) ? resolve(p) : p;

export const moduleKind = {
  types: ['module'],
  options: table('an option of type "module"', FIELDS),
  resolve: (o, ctx): Plain<ModuleSpec> => ({
    kind: 'module',
    specifier: anchorPath(o.module),
    options: o.options,
    minLevel: ctx.minLevel,
  }),
  name: (spec: Plain<ModuleSpec>) => `module:${spec.specifier}`,
  extraStats: [],
} as const satisfies DestinationKind<ModuleSpec, Resolved<typeof FIELDS>>;
