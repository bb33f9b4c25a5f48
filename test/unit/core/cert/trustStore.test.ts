/**
 * The system roots' subject index, cached in the user's cache folder: it saves parsing every root in each CLI
 * run, and it is only a hint. Each case runs in a fresh process (the index is loaded once per process).
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { rootCertificates } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { issue } from '../../../support/pki';

const JUDGE = `
const { judgeChain } = require(${JSON.stringify(path.resolve(__dirname, '../../../../src/core/cert/judge.ts'))});
const { X509Certificate } = require('node:crypto');
const der = new X509Certificate(process.env.MTD_CERT).raw;
const j = judgeChain([der], { servername: process.env.MTD_NAME });
process.stdout.write(JSON.stringify({ trusted: j.trusted, ids: j.findings.map((f) => f.id) }));
`;

function judgeInChild(cacheHome: string, certPem: string, name: string): { trusted: boolean; ids: string[] } {
  const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', JUDGE], {
    env: { ...process.env, XDG_CACHE_HOME: cacheHome, MTD_CERT: certPem, MTD_NAME: name },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { trusted: boolean; ids: string[] };
}

function indexFile(cacheHome: string): string {
  const dir = path.join(cacheHome, 'mail-tls-doctor');
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /^roots-.*\.json$/.test(f)) : [];
  assert.equal(files.length, 1, `one index file expected in ${dir}, found ${files.join(', ')}`);
  return path.join(dir, files[0]);
}

describe('system root index (cached subject index, a hint only)', function () {
  this.timeout(120_000);
  let cacheHome: string;
  beforeEach(() => (cacheHome = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-roots-cache-'))));
  afterEach(() => fs.rmSync(cacheHome, { recursive: true, force: true }));

  it('is written on first use and then anchors a bundled root found through it', () => {
    // A bundled root judged as if a server sent it: anchored through the index, so it is trusted as a root
    // (its name does not match, which is the only finding about it).
    const rootPem = rootCertificates[0];
    const first = judgeInChild(cacheHome, rootPem, 'example.invalid');
    const file = indexFile(cacheHome);
    const index = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, number[]>;
    assert.ok(Object.values(index).flat().includes(0), 'the index lists the first bundled root');
    const second = judgeInChild(cacheHome, rootPem, 'example.invalid');
    assert.deepEqual(second, first);
    assert.ok(!second.ids.includes('cert.self-signed') && !second.ids.includes('cert.untrusted-root'), `anchored: ${second.ids.join(', ')}`);
  });

  it('never adds trust: an index that points a self-signed certificate at a bundled root changes nothing', () => {
    const self = issue({ cn: 'evil.test', sans: ['evil.test'], isCA: true });
    const honest = judgeInChild(cacheHome, self.certPem, 'evil.test');
    assert.equal(honest.trusted, false);
    const file = indexFile(cacheHome);
    const index = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, number[]>;
    const key = new X509Certificate(self.certPem).subject.toLowerCase().replace(/\s+/g, ' ').trim();
    index[key] = [0, 1, 2];
    fs.writeFileSync(file, JSON.stringify(index));
    const tampered = judgeInChild(cacheHome, self.certPem, 'evil.test');
    assert.deepEqual(tampered, honest);
  });

  it('a broken index file is rebuilt from the roots, not trusted', () => {
    judgeInChild(cacheHome, rootCertificates[0], 'example.invalid');
    const file = indexFile(cacheHome);
    fs.writeFileSync(file, '{"not": "a list"}');
    const r = judgeInChild(cacheHome, rootCertificates[0], 'example.invalid');
    assert.ok(!r.ids.includes('cert.untrusted-root') && !r.ids.includes('cert.self-signed'), r.ids.join(', '));
  });
});
