/**
 * `ringlog/prom-client`: registers ringlog's metric families with a prom-client registry, so
 * an app's existing /metrics endpoint (`await register.metrics()`) includes them. prom-client
 * is an optional peer dependency: only this entry point imports it.
 */
import { Counter, register as defaultRegister, Gauge, type Registry } from 'prom-client';
import { FAMILY_DEFS, type Family, type MetricsSource, readFamilies } from './families.js';

export type { MetricsSource } from './families.js';

/**
 * Adds one prom-client Counter or Gauge per ringlog family to `register` (prom-client's
 * global registry by default), each filled from the loggers' metrics() when the registry is
 * collected. The families, names and labels are those of prometheusText(). One scrape reads
 * each logger's metrics() once, shared by every family, so the figures of one scrape agree.
 * Pass every logger in one call: a second call on the same registry throws prom-client's
 * "already been registered". Returns a function that removes the families again.
 *
 * @example
 * import { register } from 'prom-client';
 * import { createLogger } from 'ringlog';
 * import { registerRinglogMetrics } from 'ringlog/prom-client';
 *
 * const log = createLogger({ name: 'api' });
 * registerRinglogMetrics(log);
 * // in the /metrics handler: res.end(await register.metrics());
 */
export function registerRinglogMetrics(
  loggers: MetricsSource | readonly MetricsSource[],
  register: Registry = defaultRegister,
): () => void {
  const sources: readonly MetricsSource[] = isSource(loggers) ? [loggers] : [...loggers];
  // prom-client's registry calls every metric's collect() in one synchronous pass; the first
  // one reads the loggers and the rest reuse that reading until the pass ends.
  let reading: Map<string, Family> | undefined;
  const samplesOf = (name: string) => {
    if (reading === undefined) {
      reading = new Map(readFamilies(sources).map((f) => [f.name, f]));
      queueMicrotask(() => {
        reading = undefined;
      });
    }
    return reading.get(name)?.samples ?? [];
  };
  const names: string[] = [];
  try {
    for (const def of FAMILY_DEFS) {
      const config = {
        name: def.name,
        help: def.help,
        labelNames: def.labelNames,
        registers: [register],
      };
      if (def.type === 'counter') {
        new Counter({
          ...config,
          collect() {
            this.reset();
            for (const s of samplesOf(def.name)) this.inc(s.labels, s.value);
          },
        });
      } else {
        new Gauge({
          ...config,
          collect() {
            this.reset();
            for (const s of samplesOf(def.name)) this.set(s.labels, s.value);
          },
        });
      }
      names.push(def.name);
    }
  } catch (e) {
    // Leave the registry as it was: none of ours half registered.
    for (const name of names) register.removeSingleMetric(name);
    throw e;
  }
  return () => {
    for (const name of names) register.removeSingleMetric(name);
  };
}

function isSource(v: MetricsSource | readonly MetricsSource[]): v is MetricsSource {
  return typeof (v as MetricsSource).metrics === 'function';
}
