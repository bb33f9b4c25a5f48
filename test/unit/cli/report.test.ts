import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../../src/cli/main';
import { captureIO } from '../../support/cli';

// markdown-it ships no types: required as in escape.test.ts.
const MarkdownIt = require('markdown-it');

describe('CLI report: files a shard did not lint', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-cli-report-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('are listed with the reason in Markdown (escaped) and text, not dropped', async () => {
    const shard = path.join(dir, 'shard-1.jsonl');
    const records = [
      { type: 'lint', file: 'etc/postfix/main.cf', findings: [], endpoints: [], skipped: 'binary data (a NUL byte at byte 3); not linted' },
      { type: 'lint', file: '[x](https://evil.example)<img src=x>/.env', findings: [], endpoints: [], skipped: 'UTF-16 text; not linted' },
    ];
    fs.writeFileSync(shard, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const io = captureIO();
    assert.equal(await main(['report', shard, '--format', 'markdown'], io), 0);
    assert.match(io.stdout, /## Files not linted\n\n- etc\/postfix\/main\.cf: binary data \(a NUL byte at byte 3\); not linted\n/);
    const renderer = new MarkdownIt({ html: true, linkify: true });
    renderer.linkify.set({ fuzzyLink: false });
    const html = String(renderer.render(io.stdout));
    assert.doesNotMatch(html, /<a |<img/);
    assert.match(html, /UTF-16 text; not linted/);
    const text = captureIO();
    await main(['report', shard], text);
    assert.match(text.stdout, /^etc\/postfix\/main\.cf: binary data \(a NUL byte at byte 3\); not linted$/m);
  });
});
