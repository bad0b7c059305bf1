/**
 * Redaction by key name (`redactKeys`): a field whose key, folded (lower case, `_` and `-`
 * removed), names a secret is written as the censor wherever it appears; a field whose key
 * names a URL keeps its value with the userinfo and the secret query parameters censored.
 * The serializer decides the kind of each key once, beside the key's cached prefix
 * (serialize.ts), so the per-key cost is a compare.
 */
import { invalidOption } from '../protocol/errors.js';

/**
 * The names censored by `redactKeys: true` (and the production preset), folded: a key matches
 * when `key.toLowerCase()` without `_` and `-` equals one of them, so `Password`, `api_key`,
 * `X-Api-Key`, `accessToken` and `client_secret` all match.
 */
export const DEFAULT_REDACT_KEYS: readonly string[] = Object.freeze([
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'secret',
  'clientsecret',
  'apisecret',
  'secretkey',
  'privatekey',
  'secretaccesskey',
  'awssecretaccesskey',
  'token',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'authtoken',
  'sessiontoken',
  'bearertoken',
  'csrftoken',
  'xsrftoken',
  'xcsrftoken',
  'xxsrftoken',
  'xauthtoken',
  'xaccesstoken',
  'apikey',
  'xapikey',
  'apitoken',
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'sessionid',
  'jwt',
  'credentials',
  'credential',
]);

/** Folded names of keys whose string value is a URL: also any name ending with `url` or `uri`. */
const URL_KEYS: ReadonlySet<string> = new Set([
  'href',
  'location',
  'referer',
  'referrer',
  'dsn',
  'endpoint',
  'connectionstring',
]);

export const DEFAULT_CENSOR = '[Redacted]';

/** What the serializer does with a key's value. */
export const KEY_PLAIN = 0;
export const KEY_SECRET = 1;
export const KEY_URL = 2;
export type KeyKind = typeof KEY_PLAIN | typeof KEY_SECRET | typeof KEY_URL;

/** A resolved `redactKeys`: the folded secret names and the censor. */
export interface KeyRedaction {
  readonly names: ReadonlySet<string>;
  readonly censor: string;
  /** The censor as a JSON string literal. */
  readonly censorText: string;
}

// Loggers with the same rules share one object: the serializer remembers a key's kind for
// the last rules it saw, so two loggers with equal but distinct rules would each undo the
// other's. Bounded: rules come from code, not data, and few distinct sets exist.
const interned = new Map<string, KeyRedaction>();
const MAX_INTERNED = 32;

function rulesOf(names: Iterable<string>, censor: string): KeyRedaction {
  const set = new Set(names);
  const id = `${censor}\0${[...set].sort().join('\0')}`;
  const known = interned.get(id);
  if (known !== undefined) return known;
  // JSON.stringify leaves U+2028/U+2029 raw; lines stay valid JavaScript too (as quoteString).
  const censorText = JSON.stringify(censor)
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  const rules: KeyRedaction = { names: set, censor, censorText };
  if (interned.size < MAX_INTERNED) interned.set(id, rules);
  return rules;
}

/** `key` as it is matched: lower case, without `_` and `-`. */
export function foldKey(key: string): string {
  return key.toLowerCase().replace(/[_-]/g, '');
}

/** The kind of `key` under `rules`: secret, URL, or plain. */
export function classifyKey(key: string, rules: KeyRedaction): KeyKind {
  const folded = foldKey(key);
  if (rules.names.has(folded)) return KEY_SECRET;
  if (URL_KEYS.has(folded) || folded.endsWith('url') || folded.endsWith('uri')) return KEY_URL;
  return KEY_PLAIN;
}

/** The options `redactKeys` takes. */
export type RedactKeysOption =
  | boolean
  | readonly string[]
  | {
      /** Names censored on top of the default list. */
      add?: readonly string[];
      /** Names of the default list not to censor. */
      remove?: readonly string[];
      /** Written instead of a secret value (default "[Redacted]"). */
      censor?: string;
    };

const SHAPE = 'true, false, an array of key names or { add?, remove?, censor? }';

function names(where: string, name: string, v: unknown): string[] {
  if (!Array.isArray(v)) throw invalidOption(where, name, 'an array of key names', v);
  return v.map((k, i) => {
    const folded = typeof k === 'string' ? foldKey(k) : '';
    if (folded === '')
      throw invalidOption(where, `${name}[${i}]`, 'a key name (letters or digits)', k);
    return folded;
  });
}

/**
 * Validates `redactKeys` (undefined and false: no redaction by key). Throws
 * RINGLOG_INVALID_OPTION naming the part that is wrong.
 *
 * @example
 * resolveRedactKeys('createLogger', { add: ['ssn'], remove: ['cookie'] });
 */
export function resolveRedactKeys(where: string, v: unknown): KeyRedaction | undefined {
  if (v === undefined || v === false) return undefined;
  if (v === true) return rulesOf(DEFAULT_REDACT_KEYS, DEFAULT_CENSOR);
  if (Array.isArray(v)) {
    const list = names(where, 'redactKeys', v);
    return list.length === 0 ? undefined : rulesOf(list, DEFAULT_CENSOR);
  }
  if (v === null || typeof v !== 'object') throw invalidOption(where, 'redactKeys', SHAPE, v);
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (k !== 'add' && k !== 'remove' && k !== 'censor')
      throw invalidOption(
        where,
        `redactKeys.${k}`,
        'absent: redactKeys takes add, remove, censor',
        o[k],
      );
  }
  const set = new Set(DEFAULT_REDACT_KEYS);
  for (const k of o.add === undefined ? [] : names(where, 'redactKeys.add', o.add)) set.add(k);
  const remove = o.remove === undefined ? [] : names(where, 'redactKeys.remove', o.remove);
  remove.forEach((k, i) => {
    if (!set.delete(k))
      throw invalidOption(
        where,
        `redactKeys.remove[${i}]`,
        `a name of the list (${[...set].join(', ')})`,
        (o.remove as unknown[])[i],
      );
  });
  const censor = o.censor ?? DEFAULT_CENSOR;
  if (typeof censor !== 'string')
    throw invalidOption(where, 'redactKeys.censor', 'a string', censor);
  return set.size === 0 ? undefined : rulesOf(set, censor);
}

/**
 * `url` with its userinfo censored and the values of its secret query and fragment
 * parameters (`?token=…&api_key=…`, `#access_token=…`) censored. Text that is not a URL
 * comes back unchanged.
 *
 * @example
 * redactUrl('https://u:p@h/cb?code=1&token=abc', rules); // 'https://[Redacted]@h/cb?code=1&token=[Redacted]'
 */
export function redactUrl(url: string, rules: KeyRedaction): string {
  let out = url;
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(out);
  if (scheme !== null) {
    const start = scheme[0].length;
    let end = out.length;
    for (const c of '/?#') {
      const i = out.indexOf(c, start);
      if (i !== -1 && i < end) end = i;
    }
    const at = out.lastIndexOf('@', end - 1);
    if (at >= start) out = `${out.slice(0, start)}${rules.censor}${out.slice(at)}`;
  }
  const q = out.indexOf('?');
  const h = out.indexOf('#');
  if (q !== -1 && (h === -1 || q < h))
    out = redactParams(out, q + 1, h === -1 ? out.length : h, rules);
  const hash = out.indexOf('#');
  if (hash !== -1) out = redactParams(out, hash + 1, out.length, rules);
  return out;
}

/** `text` with the values of the secret `name=value` pairs between `from` and `to` censored. */
function redactParams(text: string, from: number, to: number, rules: KeyRedaction): string {
  const pairs = text.slice(from, to).split('&');
  let changed = false;
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i]!;
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    let name = pair.slice(0, eq).replace(/\+/g, ' ');
    try {
      name = decodeURIComponent(name);
    } catch {
      // A malformed escape: match the name as written.
    }
    if (rules.names.has(foldKey(name))) {
      pairs[i] = `${pair.slice(0, eq)}=${rules.censor}`;
      changed = true;
    }
  }
  return changed ? `${text.slice(0, from)}${pairs.join('&')}${text.slice(to)}` : text;
}
