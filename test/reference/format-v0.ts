/**
 * printf-style messages, as pino and util.format write them. The result is a plain string;
 * the logger quotes it when it writes the line.
 */
import { type SerializeLimits, serializeValue } from './serialize-v0.js';

const PERCENT = 0x25; // '%'
const LETTER_S = 0x73;
const LETTER_D = 0x64;
const LETTER_I = 0x69;
const LETTER_F = 0x66;
const LETTER_J = 0x6a;
const LETTER_O = 0x6f;
const CAPITAL_O = 0x4f;

/**
 * Formats `template` with args[start..args.length), printf-style like pino / util.format:
 * %s String(x) (objects via a safe JSON form), %d Number → integer-or-float text (BigInt → digits), %i parseInt, %f parseFloat,
 * %j and %o and %O → safe JSON (serializeValue), %% → '%'. A placeholder with no arg left stays as it is.
 * Args beyond the placeholders are ignored (pino behaviour). Never throws.
 * With no args at all the template is returned unchanged, '%%' included, as pino and util.format do.
 *
 * @example
 * formatMessage('user %s took %dms: %j', ['ann', 12.5, { ok: true }], 0, DEFAULT_LIMITS);
 * // 'user ann took 12.5ms: {"ok":true}'
 */
export function formatMessage(
  template: string,
  args: ArrayLike<unknown>,
  start: number,
  limits: SerializeLimits,
): string {
  let at = template.indexOf('%');
  if (at === -1 || start >= args.length) return template;
  let out = '';
  let copiedUpTo = 0;
  let next = start;
  while (at !== -1 && at + 1 < template.length) {
    const spec = template.charCodeAt(at + 1);
    let text: string | undefined;
    if (spec === PERCENT) text = '%';
    else if (next < args.length) {
      text = formatArg(spec, args[next], limits);
      if (text !== undefined) next++;
    }
    if (text === undefined) {
      at = template.indexOf('%', at + 1); // not a placeholder, or no arg left: keep it as written
      continue;
    }
    out += template.slice(copiedUpTo, at) + text;
    copiedUpTo = at + 2;
    at = template.indexOf('%', copiedUpTo);
  }
  return out + template.slice(copiedUpTo);
}

/** The text for one placeholder, or undefined when `spec` is not a placeholder letter. */
function formatArg(spec: number, arg: unknown, limits: SerializeLimits): string | undefined {
  try {
    switch (spec) {
      case LETTER_S:
        return formatAsString(arg, limits);
      case LETTER_D:
        return typeof arg === 'bigint' ? `${arg}` : `${toNumber(arg)}`;
      case LETTER_I:
        return typeof arg === 'bigint' ? `${arg}` : `${Number.parseInt(toText(arg), 10)}`;
      case LETTER_F:
        return `${Number.parseFloat(toText(arg))}`;
      case LETTER_J:
      case LETTER_O:
      case CAPITAL_O:
        return serializeValue(arg, limits);
      default:
        return undefined;
    }
  } catch (err) {
    // A valueOf, toString or Symbol.toPrimitive of the argument threw.
    return `[Unformattable %${String.fromCharCode(spec)}: ${messageOf(err)}]`;
  }
}

function formatAsString(arg: unknown, limits: SerializeLimits): string {
  if (typeof arg === 'string') return arg;
  if (typeof arg === 'function') return `[Function: ${arg.name || 'anonymous'}]`;
  // An Error reads best as "TypeError: boom", as String() and pino write it; its JSON has the stack.
  if (arg instanceof Error) return String(arg);
  if (typeof arg === 'object' && arg !== null) return serializeValue(arg, limits);
  return String(arg);
}

function toNumber(arg: unknown): number {
  return typeof arg === 'symbol' ? Number.NaN : Number(arg);
}

function toText(arg: unknown): string {
  return typeof arg === 'symbol' ? 'NaN' : String(arg);
}

function messageOf(err: unknown): string {
  try {
    return String(err instanceof Error ? err.message : err);
  } catch {
    return 'unknown error';
  }
}
