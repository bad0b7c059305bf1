// Fastify with a ringlog logger as its loggerInstance: the lines pino would write, and the
// request id for every logger through an onRequest hook.
//   npm run build && node examples/fastify.js        (PORT=3000 by default; PORT=0: any free port)
import Fastify from 'fastify';
import { createLogger, withContext } from 'ringlog';

const log = createLogger({ name: 'fastify-example', destination: 'stdout' });
const billing = log.child({ module: 'billing' });

const app = Fastify({ loggerInstance: log });
app.addHook('onRequest', (request, _reply, done) => withContext({ reqId: request.id }, done));
app.get('/orders/:id', async (request) => {
  request.log.info({ id: request.params.id }, 'loading order');
  billing.info('invoice found'); // not request.log, and still carries reqId
  return { id: request.params.id, total: 42 };
});

await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });
process.on('SIGTERM', () => app.close().then(() => log.close()));
