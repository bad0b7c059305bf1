// A plain node:http server: httpLogger(...).wrap(handler) runs each request in its context.
//   npm run build && node examples/node-http.js      (PORT=3000 by default; PORT=0: any free port)
import { createServer } from 'node:http';
import { createLogger } from 'ringlog';
import { httpLogger } from 'ringlog/http';

const log = createLogger({ name: 'node-http-example', destination: 'stdout' });
const logged = httpLogger({ logger: log });

const server = createServer(
  logged.wrap(async (req, res) => {
    req.log.info({ url: req.url }, 'handling');
    if (req.url === '/boom') throw new Error('handler failed'); // 500 and an error record
    res.setHeader('content-type', 'text/plain');
    res.end('hello\n');
  }),
);
server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  log.info({ port: server.address().port }, 'listening');
});
process.on('SIGTERM', () => server.close(() => log.close()));
