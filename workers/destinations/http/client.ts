/**
 * One POST over node:http/node:https with a keep-alive Agent (why not undici: see
 * docs/architecture.md). Resolves with the response, or rejects with an error whose `code`
 * names the network failure (ECONNRESET, ECONNREFUSED, RINGLOG_CONNECT_TIMEOUT, …).
 */
import http from 'node:http';
import https from 'node:https';

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface ClientOptions {
  url: string;
  headers: Record<string, string>;
  concurrency: number;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  ca: string[] | undefined;
  rejectUnauthorized: boolean;
}

/** Response bodies are read for errors, partial success and bulk items; never more than this. */
const MAX_RESPONSE_BYTES = 32 << 20;

function timeoutError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

export class HttpClient {
  private readonly url: URL;
  private readonly agent: http.Agent;
  private readonly request: typeof http.request;
  private readonly secure: boolean;

  constructor(private readonly opts: ClientOptions) {
    this.url = new URL(opts.url);
    const secure = this.url.protocol === 'https:';
    this.secure = secure;
    const agentOptions: https.AgentOptions = {
      keepAlive: true,
      maxSockets: opts.concurrency,
      // Idle sockets are closed by us before the server does (ClickHouse's keep_alive_timeout
      // is 3 s, Node's 5 s, nginx's 75 s), so a request seldom meets a socket the server has
      // just closed. Only idle sockets: the Agent leaves one carrying a request alone.
      timeout: 2000,
    };
    if (secure) {
      agentOptions.rejectUnauthorized = opts.rejectUnauthorized;
      if (opts.ca !== undefined) agentOptions.ca = opts.ca;
    }
    this.agent = secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
    this.request = secure ? https.request : http.request;
  }

  send(body: Buffer, headers: Record<string, string>): Promise<HttpResponse> {
    const { connectTimeoutMs, requestTimeoutMs } = this.opts;
    return new Promise((resolve, reject) => {
      let settled = false;
      const req = this.request(this.url, {
        method: 'POST',
        agent: this.agent,
        headers: {
          ...this.opts.headers,
          ...headers,
          'content-length': String(body.length),
        },
      });
      const overall = setTimeout(() => {
        req.destroy(
          timeoutError(`no response within ${requestTimeoutMs} ms`, 'RINGLOG_REQUEST_TIMEOUT'),
        );
      }, requestTimeoutMs);
      const finish = (err: Error | undefined, res?: HttpResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(overall);
        if (err !== undefined) reject(err);
        else resolve(res!);
      };
      req.on('socket', (socket) => {
        if (!socket.connecting) return;
        const t = setTimeout(() => {
          req.destroy(
            timeoutError(`not connected within ${connectTimeoutMs} ms`, 'RINGLOG_CONNECT_TIMEOUT'),
          );
        }, connectTimeoutMs);
        // TCP and, for https, the TLS handshake: both are "connecting".
        socket.once(this.secure ? 'secureConnect' : 'connect', () => clearTimeout(t));
        socket.once('close', () => clearTimeout(t));
      });
      req.on('error', (err) => finish(err));
      req.on('response', (res) => {
        const parts: Buffer[] = [];
        let size = 0;
        res.on('data', (d: Buffer) => {
          size += d.length;
          if (size <= MAX_RESPONSE_BYTES) parts.push(d);
        });
        res.on('end', () =>
          finish(undefined, {
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(parts),
          }),
        );
        res.on('error', (err) => finish(err));
        res.on('aborted', () => finish(timeoutError('the response was cut off', 'ECONNRESET')));
      });
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
