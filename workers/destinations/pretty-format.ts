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
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeChar(c: string): string {
  const named = NAMED[c];
  if (named !== undefined) return named;
  const code = c.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
}

/** `s` with every unsafe code point replaced by a visible escape. */
export function neutralize(s: string): string {
  UNSAFE.lastIndex = 0;
  return UNSAFE.test(s) ? s.replace(UNSAFE, escapeChar) : s;
}

// Values that read unambiguously without quotes: no space, quote, '=' or escape.
const BARE = /^[^\s"'=\\]+$/;

function formatValue(v: unknown): string {
  if (typeof v === 'string') return neutralize(BARE.test(v) ? v : JSON.stringify(v));
  if (v === null || typeof v !== 'object') return neutralize(String(v));
  return neutralize(JSON.stringify(v));
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function formatTime(t: unknown): string {
  if (typeof t === 'string') return neutralize(t);
  if (typeof t !== 'number') return '';
  const d = new Date(t);
  const ms = d.getMilliseconds();
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}.${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}`;
}

interface ErrorLike {
  stack: string;
  cause?: unknown;
}

function isErrorLike(v: unknown): v is ErrorLike {
  return v !== null && typeof v === 'object' && typeof (v as ErrorLike).stack === 'string';
}

function appendStack(out: string[], label: string, err: ErrorLike, depth: number): void {
  const lines = err.stack.split('\n');
  out.push(`\n    ${label}: ${neutralize(lines[0] ?? '')}`);
  for (let i = 1; i < lines.length; i++) out.push(`\n        ${neutralize(lines[i]!.trim())}`);
  if (depth < 8 && isErrorLike(err.cause)) appendStack(out, 'caused by', err.cause, depth + 1);
}

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
  const out: string[] = [];
  const time = formatTime(rec.time);
  if (time !== '') out.push(f.colorize ? `${DIM}${time}${RESET} ` : `${time} `);
  const level = rec.level;
  const label =
    typeof level === 'number'
      ? (f.labels[level] ?? `LEVEL${level}`).toUpperCase()
      : neutralize(String(level)).toUpperCase();
  if (f.colorize) {
    const color = typeof level === 'number' ? (LEVEL_COLORS[level] ?? CUSTOM_COLOR) : '';
    out.push(`${color}${neutralize(label).padEnd(5)}${RESET}`);
  } else out.push(neutralize(label).padEnd(5));
  if (rec.name !== undefined) out.push(` [${formatValue(rec.name)}]`);
  const msg = rec[f.messageKey];
  if (msg !== undefined)
    out.push(` ${typeof msg === 'string' ? neutralize(msg) : formatValue(msg)}`);
  let errors: Array<[string, ErrorLike]> | undefined;
  for (const key in rec) {
    if (HEADER_KEYS.has(key) || key === f.messageKey) continue;
    const v = rec[key];
    if (isErrorLike(v)) {
      (errors ??= []).push([key, v]);
      continue;
    }
    const k = neutralize(key);
    out.push(f.colorize ? ` ${DIM}${k}=${RESET}${formatValue(v)}` : ` ${k}=${formatValue(v)}`);
  }
  if (errors !== undefined)
    for (const [key, err] of errors) appendStack(out, neutralize(key), err, 0);
  out.push('\n');
  return out.join('');
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
