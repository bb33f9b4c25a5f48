/**
 * The editor's disk read for the lints (src/extension/diskText.ts): a mail log over the size bound is linted by
 * its tail, read with one open of the file, its findings on the file's lines; a file within the bound is opened
 * once too.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { lintText } from '../../../src/core/lint';
import { LINT_MAX_BYTES } from '../../../src/core/lint/fileKinds';
import { readDiskText } from '../../../src/extension/diskText';

/** Node's own fs module (the one the code under test calls through), to count its opens. */
const nodeFs = createRequire(__filename)('node:fs') as typeof fs;

function countingOpens<T>(run: () => T): { value: T; opens: string[] } {
  const real = nodeFs.openSync;
  const opens: string[] = [];
  nodeFs.openSync = ((...args: Parameters<typeof real>) => {
    opens.push(String(args[0]));
    return real(...args);
  }) as typeof real;
  try {
    return { value: run(), opens };
  } finally {
    nodeFs.openSync = real;
  }
}

describe('editor: reading a file from disk for the lints', function () {
  this.timeout(30_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-disktext-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a mail log over the bound: its tail from the first whole line, linted, with one open of the file', () => {
    const filler = 'Nov 28 04:00:00 mx1 postfix/qmgr[9]: 1A2B3C: removed\n';
    const early = 'Nov 28 03:00:00 mx1 postfix/smtp[2100]: SSL_connect error to early.example.org[192.0.2.43]:25: lost connection\n';
    const late = 'Nov 28 04:00:03 mx1 postfix/smtp[2103]: SSL_connect error to legacy.example.org[192.0.2.44]:25: lost connection\n';
    const file = path.join(dir, 'mail.log');
    // An error before the tail (not read), filler over the bound, and an error near the end.
    const fillLines = Math.ceil(LINT_MAX_BYTES / filler.length);
    const fill = filler.repeat(fillLines);
    fs.writeFileSync(file, `${early}${fill}${late}${filler}`);
    const { value: read, opens } = countingOpens(() => readDiskText(file));
    assert.deepEqual(opens, [file], 'the log is opened once');
    const text = read?.text;
    assert.ok(text !== undefined);
    assert.ok(Buffer.byteLength(text) <= LINT_MAX_BYTES);
    assert.ok(text.startsWith('Nov 28 04:00:00 mx1 postfix/qmgr[9]'), 'starts on a whole line');
    assert.ok(text.endsWith(`${late}${filler}`));
    // The lint names the file's line of the error (the early error's line and the filler come before it).
    const found = lintText(file, text, { readFile: () => undefined, firstLine: read?.firstLine }).endpoints;
    assert.deepEqual(
      found.map((e) => [e.endpoint.host, e.range.start.line]),
      [['legacy.example.org', 1 + fillLines]],
    );
  });

  it('a config within the bound is opened once; a folder or a missing file reads as nothing', () => {
    const cf = path.join(dir, 'main.cf');
    fs.writeFileSync(cf, 'smtp_tls_security_level = may\n');
    const { value, opens } = countingOpens(() => readDiskText(cf));
    assert.deepEqual(value, { text: 'smtp_tls_security_level = may\n', firstLine: 0 });
    assert.deepEqual(opens, [cf]);
    assert.equal(readDiskText(dir), undefined);
    assert.equal(readDiskText(path.join(dir, 'gone.log')), undefined);
  });
});
