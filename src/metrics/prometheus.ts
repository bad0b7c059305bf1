/**
 * `ringlog/prometheus`: loggers' metrics() as Prometheus text exposition format 0.0.4, for an
 * app's own /metrics endpoint. A separate entry point: `import 'ringlog'` does not load it.
 */
import { type MetricsSource, readFamilies } from './families.js';

export type { Family, FamilyType, MetricsSource, Sample } from './families.js';

/** The Content-Type header to serve prometheusText() with. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** A label value: backslash, double quote and line feed escaped, as the format requires. */
function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\\' ? '\\\\' : c === '"' ? '\\"' : '\\n'));
}

/** HELP text: backslash and line feed escaped (a double quote stays as it is there). */
function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, (c) => (c === '\\' ? '\\\\' : '\\n'));
}

/** A sample value as the format writes it: Go's float syntax, with NaN, +Inf and -Inf. */
function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}

/**
 * The metrics of one or more loggers in Prometheus text exposition format (version 0.0.4):
 * one HELP and one TYPE line per family, then its samples, every logger's together. Each
 * sample carries a `logger` label: the logger's `name` option, else its position in the
 * arguments (`"0"`, `"1"`, …); a name given twice becomes `name#2`. Per-destination
 * families add a `destination` label with the name metrics() reports. Reads each logger's
 * metrics() once, so one scrape is one consistent reading per logger.
 *
 * @example
 * import { createServer } from 'node:http';
 * import { createLogger } from 'ringlog';
 * import { PROMETHEUS_CONTENT_TYPE, prometheusText } from 'ringlog/prometheus';
 *
 * const log = createLogger({ name: 'api', destination: '/var/log/api.log' });
 * createServer((req, res) => {
 *   if (req.url !== '/metrics') return void res.writeHead(404).end();
 *   res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE }).end(prometheusText(log));
 * }).listen(9464);
 */
export function prometheusText(...loggers: MetricsSource[]): string {
  let out = '';
  for (const family of readFamilies(loggers)) {
    out += `# HELP ${family.name} ${escapeHelp(family.help)}\n# TYPE ${family.name} ${family.type}\n`;
    for (const { labels, value } of family.samples) {
      let pairs = '';
      for (const name of family.labelNames)
        pairs += `${pairs === '' ? '' : ','}${name}="${escapeLabelValue(labels[name]!)}"`;
      out += `${family.name}{${pairs}} ${formatValue(value)}\n`;
    }
  }
  return out;
}
