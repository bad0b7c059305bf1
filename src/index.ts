export type { DropCounts, OnFull } from './channel.js';
export type { DestinationMetrics } from './destination-stats.js';
export { type ErrorCode, ErrorCodes, RinglogError } from './errors.js';
export { DEFAULT_LEVELS, type LevelTable } from './levels.js';
export {
  type BaseLogger,
  type ChildOptions,
  createLogger,
  type LogFn,
  type Logger,
  type LoggerMetrics,
} from './logger.js';
export {
  type DestinationInput,
  type DestinationOptions,
  type LevelName,
  type LoggerOptions,
  type TimestampOption,
  timestamps,
} from './options.js';
