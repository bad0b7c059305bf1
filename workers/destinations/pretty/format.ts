/**
 * One NDJSON line turned into human-readable text: time, level (coloured), [name], message,
 * the other fields as key=value, and each error's stack on the lines below. Pure, so it is
 * tested on its own and measured in benchmarks/internal/pretty.js.
 *
 * User data never reaches the terminal raw: control characters (C0, DEL, C1), the line and
 * paragraph separators and the bidirectional overrides are written as visible escapes
 * (`\x1b`, `\n`, `\u202e`), so a value can neither start a new line that looks like a record
 * nor send an ANSI sequence that repaints the screen. The only escapes in the output are our
 * own colours.
 */

export interface PrettyFormat {
  colorize: boolean;
  /** Level number → label, custom levels included. */
  labels: Record<number, string>;
  messageKey: string;
}

// Written for a line that is not a JSON object (a fragment, a foreign writer's text).
const UNPARSED = 'UNPARSED';

const RESET = '\x1b[0m';
const DIM = '\x1b[2m';
const LEVEL_COLORS: Record<number, string> = {
  10: '\x1b[90m',
  20: '\x1b[34m',
  30: '\x1b[32m',
  40: '\x1b[33m',
  50: '\x1b[31m',
  60: '\x1b[41m\x1b[97m',
};
const CUSTOM_COLOR = '\x1b[35m';

// Every code point a terminal may act on instead of printing: C0, DEL, C1, U+2028/2029,
// bidi embeddings/overrides/isolates (U+202A–202E, U+2066–2069).
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// The same class without /g for the test: a global regex's test() carries lastIndex along.
const HAS_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeChar(c: string): string {
  const named = NAMED[c];
  if (named !== undefined) return named;
  const code = c.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
}

/** `s` with every unsafe code point replaced by a visible escape. */
export function neutralize(s: string): string {
  return HAS_UNSAFE.test(s) ? s.replace(UNSAFE, escapeChar) : s;
}

// Values that read unambiguously without quotes and need no escaping: no whitespace, quote,
// '=', backslash or unsafe code point. One test instead of two on the common case.
const BARE = /^[^\s"'=\\\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]+$/;

function formatValue(v: unknown): string {
  if (typeof v === 'string') return BARE.test(v) ? v : neutralize(JSON.stringify(v));
  // Numbers, booleans and null come from JSON.parse: their text holds nothing unsafe.
  if (v === null || typeof v !== 'object') return String(v);
  return neutralize(JSON.stringify(v));
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

// Records come many to a millisecond: the text is built once per distinct time.
let lastTime = Number.NaN;
let lastTimeText = '';

function formatTime(t: unknown): string {
  if (typeof t === 'string') return neutralize(t);
  if (typeof t !== 'number') return '';
  if (t === lastTime) return lastTimeText;
  const d = new Date(t);
  const ms = d.getMilliseconds();
  lastTime = t;
  lastTimeText = `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}.${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}`;
  return lastTimeText;
}

interface ErrorLike {
  stack: string;
  cause?: unknown;
}

function isErrorLike(v: unknown): v is ErrorLike {
  return v !== null && typeof v === 'object' && typeof (v as ErrorLike).stack === 'string';
}

function formatStack(label: string, err: ErrorLike, depth: number): string {
  const lines = err.stack.split('\n');
  let out = `\n    ${label}: ${neutralize(lines[0] ?? '')}`;
  for (let i = 1; i < lines.length; i++) out += `\n        ${neutralize(lines[i]!.trim())}`;
  if (depth < 8 && isErrorLike(err.cause)) out += formatStack('caused by', err.cause, depth + 1);
  return out;
}

// ` key=` per field key, neutralised once: the same keys come back record after record.
// Bounded, as the serializer's key cache: keys made of data must not grow it for ever, in
// count or in bytes (a key longer than MAX_CACHED_KEY_CHARS is never kept).
const MAX_CACHED_KEYS = 4096;
const MAX_CACHED_KEY_CHARS = 256;
const plainPrefixes = new Map<string, string>();
const colorPrefixes = new Map<string, string>();

// Written in the header rather than as fields.
const HEADER_KEYS = new Set(['level', 'time', 'pid', 'hostname', 'name']);

/** One line of text (ending with '\n', stack lines included) for one NDJSON record. */
export function formatPrettyLine(line: string, f: PrettyFormat): string {
  let rec: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw 0;
    rec = parsed as Record<string, unknown>;
  } catch {
    return `${UNPARSED} ${neutralize(line)}\n`;
  }
  const time = formatTime(rec.time);
  let out = time === '' ? '' : f.colorize ? `${DIM}${time}${RESET} ` : `${time} `;
  const level = rec.level;
  const label = neutralize(
    typeof level === 'number'
      ? (f.labels[level] ?? `LEVEL${level}`).toUpperCase()
      : String(level).toUpperCase(),
  ).padEnd(5);
  if (f.colorize) {
    const color = typeof level === 'number' ? (LEVEL_COLORS[level] ?? CUSTOM_COLOR) : '';
    out += `${color}${label}${RESET}`;
  } else out += label;
  if (rec.name !== undefined) out += ` [${formatValue(rec.name)}]`;
  const msg = rec[f.messageKey];
  if (msg !== undefined) out += ` ${typeof msg === 'string' ? neutralize(msg) : formatValue(msg)}`;
  let stacks = '';
  const prefixes = f.colorize ? colorPrefixes : plainPrefixes;
  for (const key in rec) {
    if (HEADER_KEYS.has(key) || key === f.messageKey) continue;
    const v = rec[key];
    if (isErrorLike(v)) {
      stacks += formatStack(neutralize(key), v, 0);
      continue;
    }
    let prefix = prefixes.get(key);
    if (prefix === undefined) {
      const k = neutralize(key);
      prefix = f.colorize ? ` ${DIM}${k}=${RESET}` : ` ${k}=`;
      if (prefixes.size < MAX_CACHED_KEYS && key.length <= MAX_CACHED_KEY_CHARS)
        prefixes.set(key, prefix);
    }
    out += prefix + formatValue(v);
  }
  return `${out}${stacks}\n`;
}

/** Whether to colour output to `fd`: FORCE_COLOR wins (as in Node), then NO_COLOR, then a TTY. */
export function shouldColorize(
  explicit: boolean | undefined,
  env: NodeJS.ProcessEnv,
  isTTY: boolean,
): boolean {
  if (explicit !== undefined) return explicit;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  const no = env.NO_COLOR;
  if (no !== undefined && no !== '') return false;
  return isTTY;
}
