import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../../src/cli/main';
import { LINTERS } from '../../../src/core/lint';
import { captureIO } from '../../support/cli';

describe('CLI lint: files named on the command line', function () {
  this.timeout(30_000);
  let dir: string;
  const run = async (...argv: string[]) => {
    const io = captureIO();
    const code = await main(argv, io);
    return { code, ...io };
  };
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-cli-lint-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a file no linter reads names every supported kind; a supported name with other text says so', async () => {
    const dovecot = path.join(dir, 'dovecot.conf');
    fs.writeFileSync(dovecot, 'ssl = required\nssl_min_protocol = TLSv1.2\n');
    const plain = path.join(dir, 'util.js');
    fs.writeFileSync(plain, 'module.exports = (a, b) => a + b;\n');
    const r = await run('lint', dovecot, plain, '--format', 'json');
    assert.equal(r.code, 0);
    const files = (JSON.parse(r.stdout) as { files: Array<{ file: string; skipped?: string }> }).files;
    const skipped = new Map(files.map((f) => [path.basename(f.file), f.skipped ?? '']));
    for (const l of LINTERS) assert.ok(skipped.get('dovecot.conf')?.includes(l.files.label), `${l.format} not named: ${skipped.get('dovecot.conf')}`);
    assert.doesNotMatch(skipped.get('dovecot.conf') ?? '', /registered formats/);
    assert.equal(skipped.get('util.js'), 'not linted: the name fits nodemailer code (.js, .ts and their variants), but the text does not read as one');
  });
});
