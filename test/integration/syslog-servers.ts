/**
 * Real rsyslog and syslog-ng servers for the syslog destination's tests, each started on free
 * loopback ports (TCP and UDP, the same number) with its own configuration, work and output
 * files in a temp directory; never the system's daemons. Both write one JSON object a received
 * message with its severity, facility, header fields, message and parsed STRUCTURED-DATA.
 *
 * rsyslogd comes from the rsyslog package (RINGLOG_RSYSLOGD overrides the binary); syslog-ng
 * from syslog-ng-core unpacked by .ci/run into /opt/ringlog-ci/syslog-ng-core
 * (RINGLOG_SYSLOG_NG_DIR overrides the directory).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { tempDir } from '../e2e/helpers.js';

export const RSYSLOGD = process.env.RINGLOG_RSYSLOGD ?? '/usr/sbin/rsyslogd';
export const SYSLOG_NG_DIR = process.env.RINGLOG_SYSLOG_NG_DIR ?? '/opt/ringlog-ci/syslog-ng-core';

/** One message as the server stored it. */
export interface Received {
  severity: number;
  facility: number;
  app: string;
  host: string;
  procid: string;
  msgid: string;
  time: string;
  msg: string;
  /** SD-ID → PARAM-NAME → value, unescaped by the server. */
  sd: Record<string, Record<string, string>>;
}

export interface SyslogServer {
  readonly kind: 'rsyslog' | 'syslog-ng';
  readonly port: number;
  readonly dir: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Every message stored so far whose APP-NAME is `app`, in the order stored. */
  received(app: string): Received[];
}

async function freePort(): Promise<number> {
  for (;;) {
    const tcp = createServer();
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', () => r()));
    const port = (tcp.address() as { port: number }).port;
    await new Promise<void>((r) => tcp.close(() => r()));
    const udp = createSocket('udp4');
    const free = await new Promise<boolean>((r) => {
      udp.once('error', () => r(false));
      udp.bind(port, '127.0.0.1', () => r(true));
    });
    await new Promise<void>((r) => udp.close(() => r()));
    if (free) return port;
  }
}

function rsyslogConfig(dir: string, port: number): string {
  const p = (outname: string, name: string) =>
    `property(outname="${outname}" name="${name}" format="jsonf")`;
  return `
global(workDirectory="${dir}" maxMessageSize="64k")
module(load="imtcp")
module(load="imudp")
module(load="mmpstrucdata")
input(type="imtcp" address="127.0.0.1" port="${port}")
input(type="imudp" address="127.0.0.1" port="${port}" rcvBufSize="4m")
template(name="ringlog_json" type="list") {
  constant(value="{")
  ${p('severity', 'syslogseverity')} constant(value=",")
  ${p('facility', 'syslogfacility')} constant(value=",")
  ${p('app', 'app-name')} constant(value=",")
  ${p('host', 'hostname')} constant(value=",")
  ${p('procid', 'procid')} constant(value=",")
  ${p('msgid', 'msgid')} constant(value=",")
  property(outname="time" name="timereported" dateFormat="rfc3339" format="jsonf")
  constant(value=",")
  ${p('msg', 'msg')} constant(value=",")
  ${p('sd', '$!rfc5424-sd')}
  constant(value="}\\n")
}
action(type="mmpstrucdata" sd_name.lowercase="off")
action(type="omfile" file="${dir}/out.jsonl" template="ringlog_json")
`;
}

/** The unpacked syslog-ng's version ("3.38"): its module directory is named after it. */
function syslogNgVersion(): string {
  const dirs = readdirSync(join(SYSLOG_NG_DIR, 'usr/lib/syslog-ng')).filter((d) =>
    /^\d+\.\d+$/.test(d),
  );
  if (dirs.length !== 1) throw new Error(`expected one module directory in ${SYSLOG_NG_DIR}`);
  return dirs[0]!;
}

function syslogNgConfig(dir: string, port: number): string {
  return `@version: ${syslogNgVersion()}
options { stats_freq(0); keep_hostname(yes); frac_digits(3); log_msg_size(65536); };
source s_ringlog {
  syslog(ip("127.0.0.1") port(${port}) transport("tcp") max_connections(100));
  syslog(ip("127.0.0.1") port(${port}) transport("udp") so_rcvbuf(4194304));
};
destination d_file {
  file("${dir}/out.jsonl" flush_lines(1) template("$(format-json --scope sdata severity=int(\${LEVEL_NUM}) facility=int(\${FACILITY_NUM}) app=\${PROGRAM} host=\${HOST} procid=\${PID} msgid=\${MSGID} time=\${ISODATE} msg=\${MESSAGE})\\n"));
};
log { source(s_ringlog); destination(d_file); };
`;
}

function command(kind: SyslogServer['kind'], dir: string): [string, string[], NodeJS.ProcessEnv] {
  if (kind === 'rsyslog') {
    return [RSYSLOGD, ['-n', '-f', join(dir, 'server.conf'), '-i', join(dir, 'pid')], {}];
  }
  const root = SYSLOG_NG_DIR;
  return [
    join(root, 'usr/sbin/syslog-ng'),
    [
      '-F',
      '--no-caps',
      `--module-path=${join(root, 'usr/lib/syslog-ng', syslogNgVersion())}`,
      '-f',
      join(dir, 'server.conf'),
      '-R',
      join(dir, 'persist'),
      '-p',
      join(dir, 'pid'),
      '-c',
      join(dir, 'ctl'),
    ],
    { LD_LIBRARY_PATH: join(root, 'usr/lib/syslog-ng') },
  ];
}

export function serverAvailable(kind: SyslogServer['kind']): boolean {
  return existsSync(kind === 'rsyslog' ? RSYSLOGD : join(SYSLOG_NG_DIR, 'usr/sbin/syslog-ng'));
}

function parseLine(kind: SyslogServer['kind'], line: string): Received {
  const o = JSON.parse(line) as Record<string, unknown>;
  let sd: Received['sd'] = {};
  if (kind === 'rsyslog') {
    // mmpstrucdata's tree, as JSON text inside the string.
    if (typeof o.sd === 'string' && o.sd.length > 0) sd = JSON.parse(o.sd) as Received['sd'];
  } else if (o._SDATA !== undefined) {
    sd = o._SDATA as Received['sd'];
  }
  const str = (v: unknown) => (v === undefined ? '' : String(v));
  return {
    severity: Number(o.severity),
    facility: Number(o.facility),
    app: str(o.app),
    host: str(o.host),
    procid: str(o.procid),
    msgid: str(o.msgid),
    time: str(o.time),
    msg: str(o.msg),
    sd,
  };
}

export function createServerFor(kind: SyslogServer['kind']): Promise<SyslogServer> {
  return freePort().then((port) => {
    // Removed with the test file's other temp dirs, after its afterAll stopped the server.
    const dir = tempDir(`ringlog-${kind}-`);
    writeFileSync(
      join(dir, 'server.conf'),
      kind === 'rsyslog' ? rsyslogConfig(dir, port) : syslogNgConfig(dir, port),
    );
    const out = join(dir, 'out.jsonl');
    let child: ChildProcess | null = null;
    let log = '';
    let probes = 0;

    function received(app: string): Received[] {
      if (!existsSync(out)) return [];
      const rows: Received[] = [];
      const lines = readFileSync(out, 'utf8').split('\n');
      // The last piece follows the last newline: empty, or a line the server is still writing.
      lines.pop();
      for (const line of lines) {
        if (line.length === 0) continue;
        const r = parseLine(kind, line);
        if (r.app === app) rows.push(r);
      }
      return rows;
    }

    async function start(): Promise<void> {
      const [bin, args, env] = command(kind, dir);
      log = '';
      const c = spawn(bin, args, { env: { ...process.env, ...env }, stdio: 'pipe' });
      child = c;
      c.stdout!.on('data', (d) => {
        log += d;
      });
      c.stderr!.on('data', (d) => {
        log += d;
      });
      // Ready once a UDP probe and a TCP probe made it to the output file.
      const app = `probe${++probes}`;
      const deadline = Date.now() + 15_000;
      const udp = createSocket('udp4');
      try {
        const seen = () => new Set(received(app).map((r) => r.msgid));
        while (!seen().has('udp') || !seen().has('tcp')) {
          if (c.exitCode !== null) throw new Error(`${kind} exited at start: ${log}`);
          if (Date.now() > deadline) throw new Error(`${kind} did not become ready: ${log}`);
          udp.send(Buffer.from(`<14>1 - - ${app} - udp - ready`), port, '127.0.0.1');
          await tcpProbe(port, Buffer.from(`<14>1 - - ${app} - tcp - ready`)).catch(() => {});
          await new Promise((r) => setTimeout(r, 200));
        }
      } finally {
        udp.close();
      }
    }

    async function stop(): Promise<void> {
      const c = child;
      if (c === null || c.exitCode !== null) return;
      const exited = new Promise<void>((r) => c.once('exit', () => r()));
      c.kill('SIGTERM');
      const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      child = null;
    }

    return { kind, port, dir, start, stop, received };
  });
}

function tcpProbe(port: number, msg: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.end(Buffer.concat([Buffer.from(`${msg.length} `), msg]), () => resolve());
    });
    s.on('error', reject);
  });
}
