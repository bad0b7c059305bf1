export type {
  SyslogFacilityName,
  SyslogOptions,
  SyslogSeverityName,
} from '../workers/destinations/syslog/options.js';
export {
  type DestinationInput,
  type DestinationOptions,
  type LevelName,
  type LoggerOptions,
  type TimestampOption,
  timestamps,
} from './config/options.js';
export { PRESET_NAMES, type PresetName, presetOptions } from './config/presets.js';
export { getLogger, logger, setup } from './config/setup.js';
export type { Capture } from './logger/capture.js';
export type { DropCounts, OnFull } from './logger/channel.js';
export { addContext, bindContext, getContext, withContext } from './logger/context.js';
export type { EventSchema } from './logger/events.js';
export type { FlightRecorderOptions } from './logger/flight-recorder.js';
export type {
  DestinationHealth,
  DestinationState,
  LoggerHealth,
  SinkHealth,
} from './logger/health.js';
export {
  type Formatters,
  type HookOptions,
  type RedactOptions,
  type Serializer,
  stdSerializers,
} from './logger/hooks.js';
export { DEFAULT_LEVELS, type LevelTable } from './logger/levels.js';
export {
  type BaseLogger,
  type ChildOptions,
  createLogger,
  type EventLogger,
  type LogFn,
  type Logger,
  type LoggerMetrics,
} from './logger/logger.js';
export { DEFAULT_REDACT_KEYS, type RedactKeysOption } from './logger/redact-keys.js';
export type { SamplingOptions } from './logger/sampling.js';
export { type LazyValue, lazy } from './logger/serialize.js';
export { type ErrorCode, ErrorCodes, RinglogError } from './protocol/errors.js';
export type { DestinationMetrics } from './protocol/stats.js';
