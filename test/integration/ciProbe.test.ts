/**
 * `probe` in CI formats on loopback servers: JSON Lines as each endpoint is done, SARIF at the config line that
 * named the endpoint, one probe per endpoint however often it is named, and --repeat's rate.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as Sarif from 'sarif';
import { main } from '../../src/cli/main';
import type { CliIO } from '../../src/cli/io';
import { toSarif } from '../../src/core/report/sarif';
import { startLab, type Lab } from '../support/lab';
import { captureIO } from '../support/cli';
import { validateSarifLogs } from '../support/sarif';

/** A TCP relay in front of a server that counts the connections it carries. */
async function countingRelay(port: number): Promise<{ port: number; count: () => number; close: () => Promise<void> }> {
  let n = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    n++;
    const upstream = net.connect(port, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    count: () => n,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

describe('probe in CI formats', function () {
  this.timeout(60_000);
  let lab: Lab;
  let dir: string;
  const logs: Record<string, Sarif.Log> = {};
  before(async () => {
    lab = await startLab({ only: ['healthy', 'expired', 'silent', 'refused'] });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-ciprobe-'));
  });
  after(async () => {
    await lab?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  const target = (name: string) => `127.0.0.1:${lab.servers[name].port}`;
  const common = () => ['--servername', 'mail.lab.test', '--ca', lab.caFile, '--timeout', '1500'];

  it('JSON Lines: each endpoint is written as soon as it is done, not in argument order at the end', async () => {
    const writes: { text: string; settled: boolean }[] = [];
    let settled = false;
    const io: CliIO = { color: false, out: (s) => writes.push({ text: s, settled }), err: () => undefined };
    const code = await main(['probe', target('silent'), target('healthy'), ...common(), '--format', 'jsonl', '--concurrency', '2'], io);
    settled = true;
    assert.equal(code, 1, 'the silent server is an error');
    assert.equal(writes.length, 2);
    const recs = writes.map((w) => JSON.parse(w.text) as { type: string; endpoint: { port: number }; findings: { id: string }[] });
    assert.ok(
      writes.every((w) => w.text.endsWith('\n') && !w.text.slice(0, -1).includes('\n')),
      'one line per object',
    );
    assert.deepEqual(
      recs.map((r) => r.type),
      ['probe', 'probe'],
    );
    // The healthy server answers at once; the silent one takes its greeting timeout: the healthy line comes first.
    assert.deepEqual(
      recs.map((r) => r.endpoint.port),
      [lab.servers.healthy.port, lab.servers.silent.port],
    );
    assert.ok(recs[1].findings.some((f) => f.id === 'greeting.timeout'));
  });

  it('--from-config: SARIF results point at the config line that named the server', async () => {
    const cfg = path.join(dir, 'etc/postfix');
    fs.mkdirSync(cfg, { recursive: true });
    fs.writeFileSync(
      path.join(cfg, 'main.cf'),
      `# relay through the lab\nmyhostname = client.lab.test\nrelayhost = [127.0.0.1]:${lab.servers.expired.port}\nsmtp_tls_security_level = secure\n`,
    );
    const io = captureIO();
    const before = process.cwd();
    process.chdir(dir);
    let code: number;
    try {
      code = await main(['probe', '--from-config', 'etc', ...common(), '--format', 'sarif'], io);
    } finally {
      process.chdir(before);
    }
    assert.equal(code, 1, io.stderr);
    const log = JSON.parse(io.stdout) as Sarif.Log;
    const expired = log.runs[0].results!.find((r) => r.ruleId === 'cert.expired');
    assert.ok(expired, JSON.stringify(log.runs[0].results!.map((r) => r.ruleId)));
    const loc = expired.locations![0];
    assert.equal(loc.physicalLocation!.artifactLocation!.uri, 'etc/postfix/main.cf');
    assert.equal(loc.physicalLocation!.region!.startLine, 3);
    assert.match(loc.message!.text!, /relayhost/);
    assert.equal(loc.logicalLocations![0].fullyQualifiedName, `smtp+starttls://127.0.0.1:${lab.servers.expired.port}?servername=mail.lab.test`);
    assert.equal(expired.level, 'error');
    logs.fromConfig = log;
    // Without a config or list the result still has the endpoint, as a logical location.
    const bare = captureIO();
    await main(['probe', target('expired'), ...common(), '--format', 'sarif'], bare);
    const r = (JSON.parse(bare.stdout) as Sarif.Log).runs[0].results!.find((x) => x.ruleId === 'cert.expired')!;
    assert.equal(r.locations![0].physicalLocation, undefined);
    assert.equal(r.locations![0].logicalLocations![0].kind, 'resource');
    assert.equal(
      r.partialFingerprints!['mailTlsDoctorFinding/v1'],
      expired.partialFingerprints!['mailTlsDoctorFinding/v1'],
      'the same finding on the same endpoint: the same fingerprint',
    );
    logs.bare = JSON.parse(bare.stdout) as Sarif.Log;
  });

  it('an endpoint named many times is probed once: the connections equal those of one target', async () => {
    const relay = await countingRelay(lab.servers.healthy.port);
    try {
      const once = captureIO();
      await main(['probe', `127.0.0.1:${relay.port}`, ...common(), '--json'], once);
      const single = relay.count();
      assert.ok(single >= 1);
      const list = path.join(dir, 'dupes.txt');
      fs.writeFileSync(list, `# the same server, three times\n127.0.0.1:${relay.port}\n\n127.0.0.1:${relay.port}  # again\n`);
      const many = captureIO();
      const code = await main(['probe', `127.0.0.1:${relay.port}`, '--input', list, ...common(), '--json'], many);
      assert.equal(code, 0, many.stderr);
      assert.equal(relay.count() - single, single);
      const doc = JSON.parse(many.stdout) as { results: { definedAt?: { file: string; range: { start: { line: number } } }[] }[] };
      assert.equal(doc.results.length, 1);
      assert.deepEqual(
        doc.results[0].definedAt!.map((d) => d.range.start.line + 1),
        [2, 4],
      );
    } finally {
      await relay.close();
    }
  });

  it('--input: comments, standard input, and a bad line named with its number', async () => {
    const io = captureIO();
    (io as CliIO).readStdin = async () => `${target('refused')}   # nothing listens\n# done\n`;
    const code = await main(['probe', '--input', '-', '--timeout', '1500', '--format', 'jsonl'], io);
    assert.equal(code, 1);
    const rec = JSON.parse(io.stdout.trim()) as { findings: { id: string }[]; definedAt?: unknown };
    assert.deepEqual(
      rec.findings.map((f) => f.id),
      ['tcp.refused'],
    );
    assert.equal(rec.definedAt, undefined, 'standard input is no file to point at');
    const bad = path.join(dir, 'bad.txt');
    fs.writeFileSync(bad, 'mx1.example.net\nmx2 example net\n');
    const b = captureIO();
    assert.equal(await main(['probe', '--input', bad], b), 2);
    assert.match(b.stderr, /bad\.txt:2: one target per line/);
    assert.equal(b.stdout, '');
  });

  it('--repeat: persistent vs intermittent with the rate, in text, JSON, JSON Lines and SARIF', async () => {
    // A relay that refuses every other connection attempt turns a healthy server into a flaky one.
    let n = 0;
    const flaky = net.createServer((client) => {
      n++;
      if (n % 2 === 0) {
        client.destroy();
        return;
      }
      const up = net.connect(lab.servers.healthy.port, '127.0.0.1');
      client.on('error', () => undefined);
      up.on('error', () => undefined);
      client.pipe(up).pipe(client);
    });
    await new Promise<void>((r) => flaky.listen(0, '127.0.0.1', r));
    const port = (flaky.address() as net.AddressInfo).port;
    try {
      const j = captureIO();
      await main(['probe', `127.0.0.1:${port}`, target('refused'), ...common(), '--repeat', '4', '--json'], j);
      const doc = JSON.parse(j.stdout) as { repeat: { target: string; verdict: string; failedRuns: number; runs: number; failureRate: number }[] };
      const refused = doc.repeat.find((v) => v.target.includes(`:${lab.servers.refused.port}`))!;
      assert.equal(refused.verdict, 'persistent');
      assert.equal(refused.failureRate, 1);
      const fl = doc.repeat.find((v) => v.target.includes(`:${port}`))!;
      // Whether a run fails depends on which of its connections the relay drops; the verdict must match the counts.
      assert.equal(fl.runs, 4);
      assert.equal(fl.failureRate, fl.failedRuns / 4);
      assert.equal(fl.verdict, fl.failedRuns === 0 ? 'ok' : fl.failedRuns === 4 ? 'persistent' : 'intermittent');

      const t = captureIO();
      await main(['probe', target('refused'), ...common(), '--repeat', '2'], t);
      assert.match(t.stdout, /fails in every run \(tcp\.refused 2\/2\): a persistent fault/);

      const l = captureIO();
      await main(['probe', target('refused'), ...common(), '--repeat', '2', '--format', 'jsonl'], l);
      const recs = l.stdout
        .trim()
        .split('\n')
        .map((x) => JSON.parse(x) as { type: string; run?: number; verdict?: string; failureRate?: number });
      assert.deepEqual(
        recs.map((r) => r.type),
        ['probe', 'probe', 'repeat'],
      );
      assert.deepEqual(
        recs.map((r) => r.run),
        [1, 2, undefined],
      );
      assert.equal(recs[2].verdict, 'persistent');

      const s = captureIO();
      await main(['probe', target('refused'), ...common(), '--repeat', '2', '--format', 'sarif'], s);
      const log = JSON.parse(s.stdout) as Sarif.Log;
      assert.equal(log.runs[0].results!.length, 1, 'one result for the finding seen in both runs');
      assert.equal(log.runs[0].results![0].properties!.persistence, 'persistent');
      assert.match(log.runs[0].results![0].message.text!, /every one of 2 runs: persistent/);
      logs.repeat = log;
    } finally {
      flaky.close();
    }
  });

  it('an intermittent finding is one SARIF result with its rate', async () => {
    const base = {
      type: 'probe' as const,
      endpoint: { host: 'mx.example.net', port: 25, protocol: 'smtp' as const, mode: 'starttls' as const },
      address: '192.0.2.1',
      probedFrom: 't',
      tls: null,
      versions: { TLSv1: null, 'TLSv1.1': null, 'TLSv1.2': null, 'TLSv1.3': null },
      certificates: [],
      transcript: [],
      startedAt: '',
      durationMs: 1,
    };
    const lost = { id: 'tls.lost-connection' as const, severity: 'error' as const, title: 'lost', detail: '', fix: '' };
    const log = toSarif(
      [1, 2, 3, 4].map((run) => ({ ...base, run, findings: run % 2 ? [lost] : [] })),
      { toolVersion: '0' },
    );
    assert.equal(log.runs[0].results!.length, 1);
    assert.equal(log.runs[0].results![0].properties!.persistence, 'intermittent');
    assert.match(log.runs[0].results![0].message.text!, /Seen in 2 of 4 runs \(50%\): intermittent/);
  });

  it("the probe SARIF logs pass Microsoft's validator", async function () {
    if (!Object.keys(logs).length) this.skip();
    const v = await validateSarifLogs(logs);
    for (const [name, r] of Object.entries(v)) assert.deepEqual(r.errors, [], name);
  });
});

describe('probe --input: one list of servers of every protocol, each line naming its own (mail URLs)', function () {
  this.timeout(60_000);
  let lab: Lab;
  let dir: string;
  before(async () => {
    lab = await startLab({ only: ['healthy', 'healthy-smtps', 'healthy-imap', 'healthy-imaps', 'healthy-pop3', 'healthy-pop3s'] });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-mixed-'));
  });
  after(async () => {
    await lab?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('probes each server with the protocol and mode its line names, and points each result at its line', async () => {
    const port = (name: string) => lab.servers[name].port;
    const lines = [
      `smtp://127.0.0.1:${port('healthy')}`,
      `smtps://127.0.0.1:${port('healthy-smtps')}`,
      `imap://127.0.0.1:${port('healthy-imap')}`,
      `imaps://127.0.0.1:${port('healthy-imaps')}`,
      `pop3://127.0.0.1:${port('healthy-pop3')}`,
      `pop3s://127.0.0.1:${port('healthy-pop3s')}`,
    ];
    const list = path.join(dir, 'servers.txt');
    fs.writeFileSync(list, `# the whole organisation\n${lines.join('\n')}\n`);
    const io = captureIO();
    const code = await main(['probe', '--input', list, '--servername', 'mail.lab.test', '--ca', lab.caFile, '--timeout', '3000', '--json'], io);
    assert.equal(code, 0, io.stdout);
    const doc = JSON.parse(io.stdout) as {
      results: {
        endpoint: { protocol: string; mode: string; port: number };
        tls: { version: string } | null;
        definedAt?: { range: { start: { line: number } } }[];
      }[];
    };
    const got = doc.results.map(
      (r) => `${r.endpoint.protocol}/${r.endpoint.mode}:${r.endpoint.port} tls=${r.tls !== null} line ${r.definedAt?.[0].range.start.line}`,
    );
    assert.deepEqual(got, [
      `smtp/starttls:${port('healthy')} tls=true line 1`,
      `smtp/implicit:${port('healthy-smtps')} tls=true line 2`,
      `imap/starttls:${port('healthy-imap')} tls=true line 3`,
      `imap/implicit:${port('healthy-imaps')} tls=true line 4`,
      `pop3/starttls:${port('healthy-pop3')} tls=true line 5`,
      `pop3/implicit:${port('healthy-pop3s')} tls=true line 6`,
    ]);
  });
});
