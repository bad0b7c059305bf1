/**
 * The process's default logger: `setup(preset, overrides?)` creates it, `getLogger()` and the
 * live `logger` export reach it from anywhere afterwards.
 */
import { createLogger, type Logger } from '../logger/logger.js';
import type { LoggerOptions } from './options.js';
import type { PresetName } from './presets.js';

/** The default logger once setup() (or getLogger()) has made one; a live binding. */
export let logger: Logger | undefined;

/**
 * Creates the process's default logger from a preset (LOG_PRESET, if set, wins over the
 * argument), the environment, then `overrides`, and returns it. A default logger made before
 * is flushed and closed.
 *
 * @example
 * ```ts
 * import { setup } from 'ringlog';
 * const log = setup('production');
 * log.info('ready');
 * ```
 */
export function setup(preset: PresetName = 'production', overrides: LoggerOptions = {}): Logger {
  const next = createLogger({ ...overrides, preset });
  const previous = logger;
  logger = next;
  if (previous !== undefined) void previous.close().catch(() => {});
  return next;
}

/** The default logger; the first call without setup() makes one from the environment
 * (LOG_PRESET, or 'production'). */
export function getLogger(): Logger {
  return logger ?? setup();
}
