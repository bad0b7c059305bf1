/**
 * An RFC 5424 parser written from the RFC's ABNF, and loopback receivers (TCP with
 * octet-counted frames, UDP), so tests read back exactly what a server would.
 */
import { createSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';

export interface SyslogMessage {
  pri: number;
  facility: number;
  severity: number;
  timestamp: string;
  hostname: string;
  appName: string;
  procid: string;
  msgid: string;
  /** SD-ID → its params in order, as [name, unescaped value]. */
  sd: Map<string, Array<[string, string]>>;
  msg: string | undefined;
}

export function parseSyslog(text: string): SyslogMessage {
  const m = /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) /.exec(text);
  if (m === null) throw new Error(`not an RFC 5424 header: ${text.slice(0, 120)}`);
  const pri = Number(m[1]);
  let i = m[0].length;
  const sd = new Map<string, Array<[string, string]>>();
  if (text[i] === '-') i++;
  else {
    while (text[i] === '[') {
      i++;
      const idEnd = text.slice(i).search(/[ \]]/) + i;
      const id = text.slice(i, idEnd);
      i = idEnd;
      const params: Array<[string, string]> = [];
      while (text[i] === ' ') {
        i++;
        const eq = text.indexOf('=', i);
        const name = text.slice(i, eq);
        if (!/^[\x21\x23-\x3c\x3e-\x5c\x5e-\x7e]{1,32}$/.test(name))
          throw new Error(`bad PARAM-NAME ${JSON.stringify(name)}`);
        i = eq + 1;
        if (text[i] !== '"') throw new Error(`PARAM-VALUE must open with '"' at ${i}`);
        i++;
        let value = '';
        for (;;) {
          const c = text[i];
          if (c === undefined) throw new Error('unterminated PARAM-VALUE');
          if (c === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\' || text[i + 1] === ']')) {
            value += text[i + 1];
            i += 2;
          } else if (c === '"') {
            i++;
            break;
          } else if (c === ']') {
            throw new Error(`unescaped ']' inside PARAM-VALUE at ${i}`);
          } else {
            value += c;
            i++;
          }
        }
        params.push([name, value]);
      }
      if (text[i] !== ']') throw new Error(`SD-ELEMENT must close with ']' at ${i}`);
      i++;
      sd.set(id, params);
    }
  }
  let msg: string | undefined;
  if (i < text.length) {
    if (text[i] !== ' ') throw new Error(`expected SP before MSG at ${i}`);
    msg = text.slice(i + 1);
  }
  return {
    pri,
    facility: pri >> 3,
    severity: pri & 7,
    timestamp: m[2]!,
    hostname: m[3]!,
    appName: m[4]!,
    procid: m[5]!,
    msgid: m[6]!,
    sd,
    msg,
  };
}

/** Splits an octet-counted stream (`LEN SP MSG`...) into messages; throws on bad framing. */
export class OctetCountingReader {
  private buf = Buffer.alloc(0);
  readonly messages: string[] = [];

  push(data: Buffer): void {
    this.buf = Buffer.concat([this.buf, data]);
    for (;;) {
      const sp = this.buf.indexOf(0x20);
      if (sp < 0) return;
      const lenText = this.buf.subarray(0, sp).toString('latin1');
      if (!/^[1-9]\d*$/.test(lenText)) throw new Error(`bad frame length ${lenText}`);
      const len = Number(lenText);
      if (this.buf.length < sp + 1 + len) return;
      this.messages.push(this.buf.subarray(sp + 1, sp + 1 + len).toString('utf8'));
      this.buf = this.buf.subarray(sp + 1 + len);
    }
  }
}

export interface TcpReceiver {
  port: number;
  messages: string[];
  connections: number;
  /** Closes every connection and stops listening (the port stays known for restart()). */
  stop(): Promise<void>;
  restart(): Promise<void>;
}

export async function startTcpReceiver(port = 0): Promise<TcpReceiver> {
  const messages: string[] = [];
  let server: Server;
  const sockets = new Set<Socket>();
  const r: TcpReceiver = {
    port,
    messages,
    connections: 0,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((res) => server.close(() => res()));
    },
    async restart() {
      await listen(r.port);
    },
  };
  async function listen(p: number): Promise<void> {
    server = createServer((s) => {
      r.connections++;
      sockets.add(s);
      const reader = new OctetCountingReader();
      s.on('data', (d: Buffer) => {
        reader.push(d);
        messages.push(...reader.messages.splice(0));
      });
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    });
    await new Promise<void>((res) => server.listen(p, '127.0.0.1', () => res()));
    const addr = server.address();
    if (addr !== null && typeof addr === 'object') r.port = addr.port;
  }
  await listen(port);
  return r;
}

export async function startUdpReceiver(): Promise<{
  port: number;
  messages: string[];
  stop(): Promise<void>;
}> {
  const messages: string[] = [];
  const sock = createSocket('udp4');
  sock.on('message', (m) => messages.push(m.toString('utf8')));
  await new Promise<void>((res) => sock.bind(0, '127.0.0.1', () => res()));
  return {
    port: sock.address().port,
    messages,
    stop: () => new Promise<void>((res) => sock.close(() => res())),
  };
}
