/**
 * Hostile input can never act on the terminal or the Markdown it is shown in: loopback servers whose banner,
 * capability lines and certificate fields carry terminal escapes (ESC, C1 CSI/OSC, bidi overrides, lone CR) and
 * Markdown (fences, images, links); file and folder names with the same; and reads that must stay bounded
 * (/proc/self/pagemap reports size 0 and streams gigabytes). Each test reproduces an attack that worked before.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import { isTermSafe } from '../../src/core/escape';
import type { ProbeResult } from '../../src/core/probe';
import { renderMarkdownReport } from '../../src/core/report/markdown';
import { captureIO } from '../support/cli';
import { startHostile, type Behaviour, type HostileServer } from '../support/hostile';
import { labPki } from '../support/hostile/certs';

const MarkdownIt = require('markdown-it');
const markdown = new MarkdownIt({ html: true, linkify: true });
markdown.linkify.set({ fuzzyLink: false });

/** What a terminal would act on: OSC title + BEL, C1 CSI erase, C1 OSC, a bidi override, a lone CR. */
const ESCAPES = '\u001b]0;pwned\u0007\u009b2J\u009d0;t\u009c\u202eevil\u2066';

function derOfPem(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

function assertTerminalSafe(text: string, what: string): void {
  for (const line of text.split('\n')) assert.ok(isTermSafe(line), `${what}: unsafe line ${JSON.stringify(line)}`);
}

function assertMarkdownInert(md: string, what: string): void {
  const html = markdown.render(md) as string;
  assert.doesNotMatch(html, /<img|<a /, `${what}: the report renders an image or a link: ${(/.{0,300}(<img|<a ).{0,200}/s.exec(html) ?? [''])[0]}`);
}

async function probeCli(args: string[]): Promise<{ text: string; json: { results: ProbeResult[] } }> {
  const io = captureIO();
  await main(['probe', ...args, '--verbose', '--timeout', '4000'], io);
  const jio = captureIO();
  await main(['probe', ...args, '--json', '--timeout', '4000'], jio);
  return { text: io.stdout + io.stderr, json: JSON.parse(jio.stdout) as { results: ProbeResult[] } };
}

describe('hostile output: servers cannot write to the terminal or the report', function () {
  this.timeout(60_000);
  const servers: HostileServer[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  const capabilityLines: Record<'smtp' | 'imap', (tag: string) => string> = {
    smtp: () => `250-hostile.test ${ESCAPES}\r\n250-X-\u001b[2J forged\r\n250 8BITMIME\r\n`,
    imap: (tag) => `* CAPABILITY IMAP4rev1 X-${ESCAPES} LOGINDISABLED\r\n${tag} OK done\r\n`,
  };
  for (const protocol of ['smtp', 'imap'] as const) {
    it(`${protocol}: a banner and capability lines full of escapes (and no STARTTLS) print inert`, async () => {
      const behaviour: Behaviour = {
        name: 'escapes',
        greet: (c) => c.write(protocol === 'smtp' ? `220 hostile.test ESMTP ${ESCAPES}\r\n` : `* OK hostile.test ${ESCAPES}\r\n`),
        capability: (c, tag) => c.write(capabilityLines[protocol](tag)),
      };
      const s = await startHostile(behaviour, { protocol, mode: 'starttls' });
      servers.push(s);
      const { text, json } = await probeCli([`${s.host}:${s.port}`, '--protocol', protocol, '--starttls']);
      const r = json.results[0];
      assert.ok(
        r.findings.some((f) => f.id === 'starttls.not-offered'),
        `premise: ${r.findings.map((f) => f.id).join(', ')}`,
      );
      assert.ok(JSON.stringify(r.transcript).includes('pwned'), 'premise: the hostile lines reached the result');
      assertTerminalSafe(text, `${protocol} text output`);
      assert.match(text, /\\x9b2J/, 'the escapes are shown, as visible text');
      assertMarkdownInert(renderMarkdownReport({ generatedAt: new Date(), entries: [{ endpoint: r.endpoint, result: r }] }), protocol);
    });
  }

  it('certificate subject, issuer and SANs with escapes, fences and images print inert (CLI and report)', async () => {
    const pki = labPki();
    const san = 'mail.evil.test\n```\n![p](//127.0.0.1/p.png) <img src=//127.0.0.1/q.png>\u001b[2J\u009b2J';
    const leaf = pki.leaf({ cn: `evil${ESCAPES.replace(/[^\u0000-\u00ff]/g, '')}`, sans: [san, 'localhost'] });
    const tlsCreds = () => ({ key: leaf.keyPem, cert: pki.chain(leaf), leafDer: derOfPem(leaf.certPem), caPem: pki.root.certPem });
    const s = await startHostile({ name: 'hostile-cert', tls: tlsCreds }, { protocol: 'smtp', mode: 'implicit' });
    servers.push(s);
    const { text, json } = await probeCli([`${s.host}:${s.port}`, '--protocol', 'smtp', '--implicit', '--servername', 'mail.example.test']);
    const r = json.results[0];
    const cert = r.certificates[0];
    assert.ok(cert, 'premise: the certificate was read');
    assert.ok(/[\u0000-\u001f\u0080-\u009f]/.test(cert.subject + cert.sans.join('')), `premise: raw controls in the fields: ${JSON.stringify(cert)}`);
    assertTerminalSafe(text, 'certificate text output');
    assertMarkdownInert(renderMarkdownReport({ generatedAt: new Date(), entries: [{ endpoint: r.endpoint, result: r }] }), 'certificate report');
  });
});

describe('hostile output: file and folder names', function () {
  this.timeout(30_000);
  let base: string;
  before(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-names-'));
  });
  after(() => fs.rmSync(base, { recursive: true, force: true }));

  it('lint prints file and folder names escaped; --json keeps them exact', async () => {
    const evilDir = path.join(base, `conf${'\u001b]0;pwned\u0007'}\u009b2J\u202e`);
    fs.mkdirSync(evilDir);
    fs.writeFileSync(path.join(evilDir, 'main.cf'), 'smtpd_tls_protocols = !SSLv2, !SSLv3\nrelayhost = [smtp.example.com]:587\n');
    const io = captureIO();
    await main(['lint', base], io);
    assert.ok(io.stdout.includes('main.cf'), io.stdout);
    assertTerminalSafe(io.stdout + io.stderr, 'lint text output');
    const jio = captureIO();
    await main(['lint', base, '--json'], jio);
    assertTerminalSafe(jio.stdout, 'lint --json output');
    const parsed = JSON.parse(jio.stdout) as { files: { file: string }[] };
    assert.ok(
      parsed.files.some((f) => f.file === path.join(evilDir, 'main.cf')),
      'JSON holds the exact name',
    );
  });

  it('lint does not follow a symbolic link out of the folder, and says so', async () => {
    const ws = path.join(base, 'ws');
    const secretFile = path.join(base, 'netrc');
    fs.mkdirSync(ws);
    fs.writeFileSync(secretFile, 'smtp_sasl_password_maps = static:bob:Hunter2-Secret\nrelayhost = [token-abc123.attacker.example]:587\n');
    fs.symlinkSync(secretFile, path.join(ws, 'main.cf'));
    const io = captureIO();
    await main(['lint', ws, '--json'], io);
    assert.ok(!io.stdout.includes('Hunter2') && !io.stdout.includes('token-abc123'), io.stdout);
    const parsed = JSON.parse(io.stdout) as { files: unknown[]; problems: string[] };
    assert.equal(parsed.files.length, 0);
    assert.ok(
      parsed.problems.some((p) => p.includes('main.cf') && /symbolic link/.test(p)),
      parsed.problems.join('\n'),
    );
  });
});

describe('bounded reads: /proc/self/pagemap (size 0, streams without end)', function () {
  this.timeout(120_000);
  let dir: string;
  before(function () {
    if (!fs.existsSync('/proc/self/pagemap')) this.skip();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-pagemap-'));
    // Named relative to the config, through a link beside it (a copy's absolute paths name another machine's files
    // and are not read): the CLI follows a file it was told to read, and must still read it bounded.
    fs.symlinkSync('/proc/self/pagemap', path.join(dir, 'pagemap.pem'));
    fs.writeFileSync(path.join(dir, 'main.cf'), 'smtpd_tls_cert_file = pagemap.pem\nsmtpd_tls_key_file = pagemap.pem\nsmtpd_tls_security_level = may\n');
  });
  after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

  /** In a child process with a memory cap: an unbounded read gets it killed (or times out) instead of this run. */
  function cli(args: string[]): ReturnType<typeof spawnSync> {
    return spawnSync(process.execPath, ['--max-old-space-size=256', '--import', 'tsx', path.join(__dirname, '..', '..', 'src', 'cli.ts'), ...args], {
      encoding: 'utf8',
      timeout: 90_000,
      maxBuffer: 16 * 1024 * 1024,
      env: { ...process.env, NO_COLOR: '1' },
    });
  }

  it('lint with smtpd_tls_cert_file naming /proc/self/pagemap finishes with a finding', () => {
    const r = cli(['lint', dir, '--json']);
    assert.equal(r.signal, null, `killed by ${r.signal}: ${String(r.stderr).slice(0, 500)}`);
    const parsed = JSON.parse(String(r.stdout)) as { files: { findings: { id: string; title: string }[] }[] };
    const findings = parsed.files.flatMap((f) => f.findings);
    // The file was looked for (and refused after the bound): reported as unreadable or as not checked.
    assert.ok(
      findings.some((f) => f.title.includes('pagemap.pem') || f.id === 'postfix.file-checks-skipped'),
      JSON.stringify(findings.map((f) => [f.id, f.title])),
    );
  });

  it('probe --ca /proc/self/pagemap is refused without reading it whole', () => {
    const r = cli(['probe', '127.0.0.1:9', '--ca', '/proc/self/pagemap', '--json', '--timeout', '1000']);
    assert.equal(r.signal, null, `killed by ${r.signal}: ${String(r.stderr).slice(0, 500)}`);
    const parsed = JSON.parse(String(r.stdout)) as { results: ProbeResult[] };
    assert.deepEqual(
      parsed.results[0].findings.map((f) => f.id),
      ['endpoint.ca-unreadable'],
    );
    assert.match(parsed.results[0].findings[0].evidence?.join(' ') ?? '', /larger than 5 MB/);
  });
});
