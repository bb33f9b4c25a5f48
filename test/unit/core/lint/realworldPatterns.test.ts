/**
 * The fixtures in test/fixtures/realworld-patterns (written for this project after patterns met in third-party
 * configs, issue 16) linted as the CLI does, folder as workspace: every file gives exactly the findings listed in
 * expected.json, and no secret written in them reaches the output.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lintText } from '../../../../src/core/lint';
import { diskLintHost } from '../../../support/lintHost';

const ROOT = path.resolve(__dirname, '../../../fixtures/realworld-patterns');
const expected = JSON.parse(fs.readFileSync(path.join(ROOT, 'expected.json'), 'utf8')) as Record<string, string[]>;

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe('real-world patterns (own fixtures)', () => {
  const host = diskLintHost(ROOT);
  const all = files(ROOT).filter((f) => !/README\.md$|expected\.json$/.test(f));

  it('every fixture file is listed in expected.json', () => {
    assert.deepEqual(all.map((f) => path.relative(ROOT, f)).sort(), Object.keys(expected).sort());
  });

  for (const [rel, want] of Object.entries(expected)) {
    it(rel, () => {
      const file = path.join(ROOT, rel);
      const r = lintText(file, fs.readFileSync(file, 'utf8'), host);
      assert.deepEqual(r.findings.map((f) => `${f.id} ${f.severity}`).sort(), [...want].sort());
      assert.ok(!JSON.stringify(r).includes('notarealkey'), 'an inline secret reached the output');
    });
  }
});
