export type { Capture } from './capture.js';
export type { DropCounts, OnFull } from './channel.js';
export type { DestinationMetrics } from './destination-stats.js';
export { type ErrorCode, ErrorCodes, RinglogError } from './errors.js';
export type { EventSchema } from './events.js';
export type { FlightRecorderOptions } from './flight-recorder.js';
export {
  type Formatters,
  type HookOptions,
  type RedactOptions,
  type Serializer,
  stdSerializers,
} from './hooks.js';
export { DEFAULT_LEVELS, type LevelTable } from './levels.js';
export {
  type BaseLogger,
  type ChildOptions,
  createLogger,
  type EventLogger,
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
export {
  PRESET_NAMES,
  PRODUCTION_REDACT_PATHS,
  type PresetName,
  presetOptions,
} from './presets.js';
export type { SamplingOptions } from './sampling.js';
export { type LazyValue, lazy } from './serialize.js';
export { getLogger, logger, setup } from './setup.js';
export type {
  SyslogFacilityName,
  SyslogOptions,
  SyslogSeverityName,
} from './syslog-options.js';
