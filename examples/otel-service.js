// A traced service: an OpenTelemetry context manager and tracer (what the SDK's start() sets
// up), a span per request, and ringlog writing trace_id, span_id and trace_flags on every
// record logged inside it. Register OpenTelemetry before creating loggers.
//   npm run build && node examples/otel-service.js   (PORT=3000 by default; PORT=0: any free port)
import { createServer } from 'node:http';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { createLogger } from 'ringlog';
import { httpLogger } from 'ringlog/http';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(new TracerProvider());
const tracer = trace.getTracer('otel-example');

const log = createLogger({ name: 'otel-example', destination: 'stdout' });
const logged = httpLogger({ logger: log });

const server = createServer((req, res) =>
  tracer.startActiveSpan(`${req.method} ${req.url}`, (span) => {
    res.once('close', () => span.end());
    logged.wrap(async () => {
      log.info('charging card');
      await tracer.startActiveSpan('charge', async (child) => {
        await new Promise((r) => setTimeout(r, 3));
        log.info({ amount: 42 }, 'charged'); // the child span's span_id
        child.end();
      });
      res.end('paid\n');
    })(req, res);
  }),
);
server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  log.info({ port: server.address().port }, 'listening');
});
process.on('SIGTERM', () => server.close(() => log.close()));
