/**
 * The TLS policy table parser must read a table source the way the real `postmap` does: for each fixture (and a
 * grammar sample with every edge), `postmap -c DIR hash:FILE` builds the table, `postmap -s` dumps what Postfix
 * will look up, and its warnings name the lines it ignored. Our entries (key case-folded, value with its blanks
 * normalised) must be exactly the dump, and our syntax problems exactly the warnings.
 */
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parsePolicyMap } from '../../src/core/lint/postfix/policyMapParser';
import { findTool } from '../support/mailservers/tools';
import { writePostfixConfig } from '../support/postfixConfig';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'postfix');

/** Every edge of the grammar in one table: continuations, comments inside entries, tabs, commas, braces, duplicates. */
const GRAMMAR = [
  '   orphan.example secure',
  '# a comment',
  'Example.COM\tsecure match=.example.com',
  '   protocols=!SSLv2:!SSLv3',
  '# a comment inside the entry',
  '\tciphers=high',
  '',
  'lonely.example',
  '[mail.example.org]:587 encrypt,protocols=>=TLSv1.2',
  '.sub.example.net verify { match = hostname:nexthop }',
  'example.com may',
  'EXAMPLE.NET dane-only',
  'trailing.example   may    ',
  'lonely-with-blanks.example    ',
  '',
].join('\n');

interface PostmapRun {
  dump: Map<string, string>;
  warnings: string[];
}

function postmap(text: string): PostmapRun {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-postmap-'));
  try {
    writePostfixConfig(path.join(dir, 'main.cf'), '');
    const file = path.join(dir, 'tls_policy');
    fs.writeFileSync(file, text);
    const built = spawnSync('postmap', ['-c', dir, `hash:${file}`], { encoding: 'utf8', timeout: 15_000 });
    assert.equal(built.status, 0, built.stderr);
    const dumped = execFileSync('postmap', ['-c', dir, '-s', `hash:${file}`], { encoding: 'utf8', timeout: 15_000 });
    const dump = new Map<string, string>();
    for (const line of dumped.split('\n').filter(Boolean)) {
      const tab = line.indexOf('\t');
      dump.set(
        line.slice(0, tab),
        line
          .slice(tab + 1)
          .replace(/\s+/g, ' ')
          .trim(),
      );
    }
    const warnings = built.stderr
      .split('\n')
      .filter((l) => l.includes('warning:'))
      .map((l) => l.replace(/^.*warning: /, '').replace(dir + '/', ''));
    return { dump, warnings };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('postfix TLS policy tables read the way the real postmap reads them', function () {
  this.timeout(60_000);
  before(function () {
    if (!findTool('postmap')) {
      console.log('    SKIPPED: postmap is not installed (apt-get install postfix)');
      this.skip();
    }
  });

  const samples: Array<[string, string]> = [['grammar sample', GRAMMAR]];
  for (const d of fs.readdirSync(FIXTURES).sort()) {
    const f = path.join(FIXTURES, d, 'tls_policy');
    if (fs.existsSync(f)) samples.push([`fixture ${d}/tls_policy`, fs.readFileSync(f, 'utf8')]);
  }

  it('has samples with ignored lines, duplicates and continuations', () => {
    assert.ok(samples.length >= 3);
  });

  for (const [name, text] of samples) {
    it(name, () => {
      const real = postmap(text);
      const ours = parsePolicyMap(text);
      // The entries Postfix looks up: same keys (case-folded), same values.
      const mine = new Map(ours.entries.map((e) => [e.key.toLowerCase(), e.value]));
      assert.deepEqual([...mine.entries()].sort(), [...real.dump.entries()].sort());
      // The lines postmap ignores, each with its reason (as postmap words it while building the table).
      const expected = ours.problems.map((p) =>
        p.kind === 'no-value'
          ? `no value: line ${p.firstLine + 1}`
          : p.kind === 'duplicate-key'
            ? `duplicate: ${p.excerpt.split(' ')[0].toLowerCase()}`
            : 'orphan',
      );
      const said = real.warnings.map((w) => {
        const noValue = /^tls_policy, line (\d+): expected format: key whitespace value$/.exec(w);
        if (noValue) return `no value: line ${noValue[1]}`;
        const dup = /^tls_policy\.db: duplicate entry: "(.*)"$/.exec(w);
        if (dup) return `duplicate: ${dup[1]}`;
        return /logical line must not start with whitespace/.test(w) ? 'orphan' : w;
      });
      assert.deepEqual(said.sort(), [...expected].sort(), `postmap said:\n${real.warnings.join('\n')}`);
    });
  }

  it('the grammar sample really has every kind of ignored line', () => {
    const kinds = new Set(parsePolicyMap(GRAMMAR).problems.map((p) => p.kind));
    assert.deepEqual([...kinds].sort(), ['duplicate-key', 'no-value', 'orphan-continuation']);
  });
});
