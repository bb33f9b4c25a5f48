/**
 * The CI workflows of docs/ci.md, run as written on loopback servers: N shards probed, merged with `report`, the
 * SARIF validated, and the merge compared with one unsharded run of the same list.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as Sarif from 'sarif';
import { main } from '../../src/cli/main';
import { shardOf } from '../../src/cli/targets';
import { makeEndpoint } from '../../src/core/endpoint';
import { FINGERPRINT_KEY } from '../../src/core/report/sarif';
import { captureIO } from '../support/cli';
import { startLab, type Lab } from '../support/lab';
import { validateSarifLogs } from '../support/sarif';
import { runCommandLine, workflowBlocks } from '../support/workflow';

const DOC = path.join(__dirname, '../../docs/ci.md');
const SERVERS = ['healthy', 'expired', 'expires-soon', 'wrong-name', 'tls12-only', 'self-signed', 'refused', 'healthy-imaps'];

describe('docs/ci.md workflows: sharded probes merged into one report', function () {
  this.timeout(180_000);
  let lab: Lab;
  let dir: string;
  let list: string;
  const logs: Record<string, Sarif.Log> = {};
  const probeExtra = () => ({ probe: ['--ca', lab.caFile, '--servername', 'mail.lab.test', '--timeout', '2000'] });

  before(async () => {
    lab = await startLab({ only: SERVERS });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-ci-'));
    // The organisation's list: comments, a blank line, and one server named twice.
    const lines = ['# mail servers of the organisation', ''];
    for (const name of SERVERS) {
      const s = lab.servers[name];
      lines.push(`127.0.0.1:${s.port}   # ${name}`);
    }
    lines.push(`127.0.0.1:${lab.servers.expired.port}`);
    list = `${lines.join('\n')}\n`;
  });
  after(async () => {
    await lab?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const docs = () => workflowBlocks(fs.readFileSync(DOC, 'utf8'));

  async function unsharded(cwd: string): Promise<Sarif.Log> {
    const io = captureIO();
    const before = process.cwd();
    process.chdir(cwd);
    try {
      await main(['probe', '--input', 'mail-servers.txt', '--format', 'sarif', ...probeExtra().probe], io);
    } finally {
      process.chdir(before);
    }
    return JSON.parse(io.stdout) as Sarif.Log;
  }

  function summary(log: Sarif.Log): string[] {
    return log.runs[0]
      .results!.map((r) => {
        const loc = r.locations![0].physicalLocation;
        return `${r.ruleId} ${r.level} ${r.partialFingerprints![FINGERPRINT_KEY]} ${loc?.artifactLocation?.uri}:${loc?.region?.startLine}`;
      })
      .sort();
  }

  for (const flavour of ['GitHub Actions', 'GitLab CI'] as const) {
    it(`${flavour}: the shards merge into the findings of one unsharded run`, async () => {
      const block = docs().find((b) => (flavour === 'GitHub Actions' ? /runs-on:/.test(b.yaml) && /matrix:/.test(b.yaml) : /parallel:/.test(b.yaml)));
      assert.ok(block, `the ${flavour} workflow is in docs/ci.md`);
      const n = flavour === 'GitHub Actions' ? /shard: \[([\d, ]+)\]/.exec(block.yaml)![1].split(',').length : Number(/parallel: (\d+)/.exec(block.yaml)![1]);
      assert.ok(n >= 2);
      const probeCmd = block.commands.filter((c) => / probe /.test(c));
      const reportCmds = block.commands.filter((c) => / report /.test(c));
      assert.equal(probeCmd.length, 1);
      assert.ok(reportCmds.length >= 2);
      const cwd = fs.mkdtempSync(path.join(dir, flavour.replace(/\W/g, '')));
      fs.writeFileSync(path.join(cwd, 'mail-servers.txt'), list);

      for (let k = 1; k <= n; k++) {
        const vars = { 'matrix.shard': String(k), CI_NODE_INDEX: String(k), CI_NODE_TOTAL: String(n) };
        const r = await runCommandLine(probeCmd[0], cwd, vars, probeExtra());
        assert.equal(r.code, 0, `shard ${k}: --fail-on never ${r.stderr}`);
      }
      // Every endpoint ran in exactly one shard.
      const shardFiles = fs.readdirSync(cwd).filter((f) => /^shard-\d+\.jsonl$/.test(f));
      assert.equal(shardFiles.length, n);
      const seen = new Map<string, string>();
      for (const f of shardFiles) {
        for (const line of fs.readFileSync(path.join(cwd, f), 'utf8').trim().split('\n').filter(Boolean)) {
          const rec = JSON.parse(line) as { type: string; endpoint: { port: number } };
          assert.equal(rec.type, 'probe');
          const key = String(rec.endpoint.port);
          assert.ok(!seen.has(key) || seen.get(key) === f, `port ${key} in ${seen.get(key)} and ${f}`);
          seen.set(key, f);
        }
      }
      assert.equal(seen.size, SERVERS.length, 'the duplicate line is probed once, and nothing is lost');

      const env = { GITHUB_STEP_SUMMARY: path.join(cwd, 'step-summary.md') };
      const codes: number[] = [];
      for (const c of reportCmds) codes.push((await runCommandLine(c, cwd, env)).code);
      // The final gate fails: the list holds an expired certificate and a refused port.
      assert.deepEqual(codes, [...codes.slice(0, -1).map(() => 0), 1]);
      const merged = JSON.parse(fs.readFileSync(path.join(cwd, 'mail-tls.sarif'), 'utf8')) as Sarif.Log;
      const markdown = fs.readFileSync(path.join(cwd, flavour === 'GitHub Actions' ? 'step-summary.md' : 'mail-tls-report.md'), 'utf8');
      assert.match(markdown, /^# Mail TLS Doctor report/);
      assert.match(markdown, /FAIL SMTP 127\.0\.0\.1:\d+ \(STARTTLS\)/);
      assert.match(markdown, /cert\.expired/);

      const whole = await unsharded(cwd);
      assert.deepEqual(summary(merged), summary(whole));
      assert.deepEqual(
        merged.runs[0].tool.driver.rules!.map((r) => r.id),
        whole.runs[0].tool.driver.rules!.map((r) => r.id),
      );
      // The expected findings are there, located at the list's line naming the server.
      const at = (name: string, id: string) => {
        const line = list.split('\n').findIndex((l) => l.startsWith(`127.0.0.1:${lab.servers[name].port} `)) + 1;
        return merged.runs[0].results!.find(
          (r) =>
            r.ruleId === id &&
            r.locations!.some((l) => l.physicalLocation?.region?.startLine === line && l.physicalLocation.artifactLocation?.uri === 'mail-servers.txt'),
        );
      };
      for (const name of ['expired', 'expires-soon', 'wrong-name', 'self-signed', 'refused']) {
        for (const id of lab.servers[name].expect) assert.ok(at(name, id), `${id} for ${name} at its line`);
      }
      const expired = at('expired', 'cert.expired')!;
      assert.equal(expired.locations!.length, 2, 'the server named twice: both lines');
      assert.equal(merged.runs[0].tool.driver.rules!.length, new Set(merged.runs[0].results!.map((r) => r.ruleId)).size, 'one rule per id');
      logs[`merged ${flavour}`] = merged;
      logs[`unsharded ${flavour}`] = whole;
    });
  }

  it("the merged and unsharded SARIF pass Microsoft's validator", async function () {
    if (Object.keys(logs).length === 0) this.skip();
    const v = await validateSarifLogs(logs);
    for (const [name, r] of Object.entries(v)) assert.deepEqual(r.errors, [], name);
  });

  it('the shard of an endpoint depends only on the endpoint, and every shard gets some of many', () => {
    const eps = Array.from({ length: 400 }, (_, i) => makeEndpoint(`mx${i}.example.net`, 25));
    const a = eps.map((e) => shardOf(e, 4));
    const b = [...eps]
      .reverse()
      .map((e) => shardOf(e, 4))
      .reverse();
    assert.deepEqual(a, b);
    const counts = [1, 2, 3, 4].map((k) => a.filter((x) => x === k).length);
    for (const c of counts) assert.ok(c > 50, `balanced enough: ${counts}`);
    assert.equal(
      shardOf(makeEndpoint('MX1.Example.NET.', 25), 4),
      shardOf(makeEndpoint('mx1.example.net', 25), 4),
      'case and the root dot do not move an endpoint',
    );
  });
});
