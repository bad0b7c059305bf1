import { defineConfig } from 'tsup';

// Two builds: the public API as ESM + CJS with types, and the sink worker as one ESM file
// beside it (dist/sink.js), with internal/ entries for tests and benchmarks. Both API builds find the worker as './sink.js' relative to
// themselves, so the package works unbundled from either module system.
export default defineConfig([
  {
    // http: ringlog/http, an entry of its own; the core never imports it. Its copy of the
    // context module shares the core's store through globalThis (src/logger/context.ts).
    entry: { index: 'src/index.ts', http: 'src/http/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    shims: true,
    target: 'node20',
    platform: 'node',
  },
  {
    // internal/*: the ring and channel alone, for tests and benchmarks that run them in
    // worker threads of their own. Not part of the package's exports.
    entry: {
      sink: 'workers/sink/sink.ts',
      'internal/ring': 'src/protocol/ring.ts',
      'internal/channel': 'src/logger/channel.ts',
      'internal/pretty-format': 'workers/destinations/pretty/format.ts',
    },
    format: ['esm'],
    // Each file stands alone: a bundler copying sink.js needs nothing beside it.
    splitting: false,
    sourcemap: true,
    clean: false,
    target: 'node20',
    platform: 'node',
  },
  {
    // The metrics entry points (ringlog/prometheus, ringlog/prom-client): a build of their
    // own, so the core's files are the same with or without them and never import them.
    // prom-client stays external (an optional peer dependency).
    entry: {
      prometheus: 'src/metrics/prometheus.ts',
      'prom-client': 'src/metrics/prom-client.ts',
    },
    format: ['esm', 'cjs'],
    dts: true,
    // Each file stands alone (the family table is small): no shared chunk to ship beside them.
    splitting: false,
    sourcemap: true,
    clean: false,
    target: 'node20',
    platform: 'node',
  },
]);
