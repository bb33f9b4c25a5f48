import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, codeOf, ours, removeCreated, waitFor, wsUri } from '../helpers';

const MAIN_CF = '# relay through the provider\nrelayhost = [smtp.example.com]:465\nsmtp_tls_security_level = encrypt\n';

// A config that arrives with its folder (`mkdir -p a/b && cp main.cf a/b/`, an unpacked archive, a folder moved in)
// is reported by the file watcher as one new folder, without an event per file in it. Its diagnostics must show up
// without opening the file or running Lint Workspace, as for a new file in a folder the watcher already knew.
describe('extension: candidate files that arrive with their folder', function () {
  this.timeout(60_000);

  before(async () => {
    await activateExtension();
  });

  after(async () => {
    await removeCreated('new-tree');
    await removeCreated('moved-in');
  });

  const open = (uri: vscode.Uri) => vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString());

  it('mkdir -p a/b && write a/b/main.cf: linted without opening it', async () => {
    // Several at once, at several depths: the watcher's race (the file written before the new folder is watched)
    // is lost by some of them on most runs.
    const uris = ['a', 'b/c', 'd/e/f', 'g/h/i/j'].map((dirs) => wsUri('new-tree', ...dirs.split('/'), 'main.cf'));
    for (const uri of uris) {
      fs.mkdirSync(path.dirname(uri.fsPath), { recursive: true });
      fs.writeFileSync(uri.fsPath, MAIN_CF);
    }
    for (const uri of uris) {
      const d = await waitFor(() => ours(uri).find((x) => codeOf(x) === 'postfix.relayhost-needs-wrappermode'), `${uri.path} linted by the watcher`, 20_000);
      assert.equal(d.range.start.line, 1);
      assert.equal(open(uri), false, 'the test must not have opened the file');
    }
  });

  it('a folder moved into the workspace: every candidate file in it (at any depth) is linted', async () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-moved-'));
    try {
      fs.mkdirSync(path.join(outside, 'etc', 'postfix'), { recursive: true });
      fs.writeFileSync(path.join(outside, 'etc', 'postfix', 'main.cf'), `${MAIN_CF}smtp_tls_policy_maps = hash:/etc/postfix/tls_policy\n`);
      fs.writeFileSync(path.join(outside, 'etc', 'postfix', 'tls_policy'), '# per-destination TLS\nexample.org dane_only\nexample.com may\n');
      fs.renameSync(outside, wsUri('moved-in').fsPath);
    } catch (err) {
      fs.rmSync(outside, { recursive: true, force: true });
      throw err;
    }
    const mainCf = wsUri('moved-in', 'etc', 'postfix', 'main.cf');
    const policy = wsUri('moved-in', 'etc', 'postfix', 'tls_policy');
    await waitFor(() => ours(mainCf).some((x) => codeOf(x) === 'postfix.relayhost-needs-wrappermode'), 'the moved-in main.cf linted', 20_000);
    await waitFor(() => ours(policy).some((x) => codeOf(x) === 'postfix.policy-map-level'), 'the moved-in policy table linted', 20_000);
    assert.equal(open(mainCf) || open(policy), false);
  });
});
