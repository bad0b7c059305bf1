/**
 * pino's level numbers, shared by the app side (levels, options) and the sink (the HTTP
 * encoders read a record's level by name or number).
 */
export const DEFAULT_LEVELS: Readonly<Record<string, number>> = Object.freeze({
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
});
