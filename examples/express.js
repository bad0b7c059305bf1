// An Express 5 app with ringlog/http: one record per request, and the request id on every
// record logged while the request is handled.
//   npm run build && node examples/express.js        (PORT=3000 by default; PORT=0: any free port)
//   curl -H 'x-request-id: abc' localhost:3000/users/42
import express from 'express';
import { addContext, createLogger } from 'ringlog';
import { httpErrors, httpLogger } from 'ringlog/http';

const log = createLogger({ name: 'express-example', destination: 'stdout' });
const db = log.child({ module: 'db' });

const app = express();
app.use(httpLogger({ logger: log, exclude: ['/health'] }));
app.use((req, _res, next) => {
  // After authentication, say: every later record of the request names the user.
  addContext({ userId: req.headers['x-user'] ?? 'anonymous' });
  next();
});
app.get('/health', (_req, res) => {
  res.send('ok');
});
app.get('/users/:id', async (req, res) => {
  req.log.info({ id: req.params.id }, 'loading user');
  await new Promise((r) => setTimeout(r, 5));
  db.debug('query done'); // below the level: not written
  db.info({ rows: 1 }, 'user loaded'); // another logger, same request id
  res.json({ id: req.params.id, name: 'ada' });
});
app.get('/fail', () => {
  throw new Error('something broke');
});
app.use(httpErrors());

const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  log.info({ port: server.address().port }, 'listening');
});
process.on('SIGTERM', () => server.close(() => log.close()));
