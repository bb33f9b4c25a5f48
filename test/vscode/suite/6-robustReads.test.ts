import * as assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MailTlsDoctorApi } from '../../../src/extension/api';
import { makePki } from '../../support/pki';
import { activateExtension, codeOf, ours, removeCreated, waitFor, wsUri } from '../helpers';

const BOUND_MS = 10_000;

/** Fails (instead of letting mocha time out) when `work` has not settled within `ms`. */
async function bounded<T>(work: Thenable<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([Promise.resolve(work), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A FIFO opened for reading blocks the opening thread until a writer comes, and these tests run in the same
 * extension host as the extension: a timer in here could never fire. So a separate process plays the writer
 * after a grace period, which unblocks a stuck reader (it reads EOF), and notes that it had to in `flagFile`.
 */
function startFifoWatchdog(fifos: string[], flagFile: string, graceMs: number): ChildProcess {
  const script = `
    const fs = require('fs');
    const [flag, grace, ...fifos] = process.argv.slice(1);
    setTimeout(() => setInterval(() => {
      for (const f of fifos) {
        let fd;
        try { fd = fs.openSync(f, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK); } catch { continue; } // ENXIO: no reader
        fs.appendFileSync(flag, f + '\\n');
        fs.closeSync(fd);
      }
    }, 200), Number(grace));`;
  const child = spawn(process.execPath, ['-e', script, flagFile, String(graceMs), ...fifos], {
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    stdio: 'ignore',
  });
  child.unref();
  return child;
}

describe('extension: robust reads (FIFOs, .env changes on disk, severity overrides)', function () {
  this.timeout(30_000);
  let api: MailTlsDoctorApi;

  before(async () => {
    api = await activateExtension();
  });

  describe('FIFOs named like mail configs', () => {
    const dir = 'robust-fifo';
    const fifoNames = ['.env', 'mail.log', 'main.cf'];
    let fifos: string[] = [];
    let watchdog: ChildProcess | undefined;
    let flagFile = '';

    before(async function () {
      if (process.platform === 'win32') this.skip(); // no mkfifo
      const mailer = wsUri(dir, 'mailer.js');
      await vscode.workspace.fs.writeFile(
        mailer,
        Buffer.from(
          "const nodemailer = require('nodemailer');\n" +
            'module.exports = nodemailer.createTransport({ host: process.env.MTD_FIFO_HOST, port: 465, secure: false });\n',
        ),
      );
      await vscode.workspace.fs.writeFile(
        wsUri(dir, 'master.cf'),
        Buffer.from('smtps     inet  n       -       y       -       -       smtpd\n  -o syslog_name=postfix/smtps\n'),
      );
      fifos = fifoNames.map((n) => wsUri(dir, n).fsPath);
      flagFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-fifo-')), 'unblocked');
      watchdog = startFifoWatchdog(fifos, flagFile, 8_000);
      for (const f of fifos) execFileSync('mkfifo', [f]);
    });

    after(async () => {
      if (watchdog?.pid !== undefined && watchdog.exitCode === null) watchdog.kill();
      for (const f of fifos) fs.rmSync(f, { force: true });
      if (flagFile) fs.rmSync(path.dirname(flagFile), { recursive: true, force: true });
      await removeCreated(dir);
    });

    it('Lint Workspace returns promptly and the other diagnostics stay intact', async () => {
      // The watcher saw the FIFOs appear: let its debounced lint (which reads changed files by name) run first.
      await new Promise((r) => setTimeout(r, 1_000));
      await bounded(api.whenIdle(), BOUND_MS, 'the lint after the FIFOs appeared');
      const n = await bounded(vscode.commands.executeCommand<number>('mailTlsDoctor.lintWorkspace'), BOUND_MS, 'Lint Workspace');
      assert.equal(typeof n, 'number');
      assert.ok(n > 0, `Lint Workspace reported ${n} finding(s)`);
      assert.ok(
        !fs.existsSync(flagFile),
        `a reader blocked on a FIFO until the watchdog wrote to it: ${fs.existsSync(flagFile) ? fs.readFileSync(flagFile, 'utf8') : ''}`,
      );

      // The code beside the FIFOs is linted (its .env lookup skipped the FIFO), and so is master.cf (whose
      // main.cf beside it is a FIFO); the FIFOs themselves carry nothing.
      const mailer = ours(wsUri(dir, 'mailer.js'));
      assert.ok(
        mailer.some((d) => codeOf(d) === 'nodemailer.plaintext-on-implicit-port'),
        `mailer.js: ${mailer.map(codeOf).join(', ')}`,
      );
      const master = ours(wsUri(dir, 'master.cf'));
      assert.ok(
        master.some((d) => codeOf(d) === 'postfix.smtps-without-wrappermode'),
        `master.cf: ${master.map(codeOf).join(', ')}`,
      );
      for (const name of fifoNames) assert.deepEqual(ours(wsUri(dir, name)).map(codeOf), [], name);
      // The fixture workspace's own findings are untouched.
      const mainCf = ours(wsUri('etc', 'postfix', 'main.cf'));
      assert.ok(
        mainCf.some((d) => codeOf(d) === 'postfix.relayhost-needs-wrappermode'),
        `main.cf: ${mainCf.map(codeOf).join(', ')}`,
      );
      assert.equal(mainCf.filter((d) => codeOf(d) === 'postfix.legacy-protocols').length, 2);
      const app = ours(wsUri('app', 'mailer.js'));
      assert.ok(
        app.some((d) => codeOf(d) === 'nodemailer.plaintext-on-implicit-port'),
        `app/mailer.js: ${app.map(codeOf).join(', ')}`,
      );
      assert.ok(!fs.existsSync(flagFile), 'a reader blocked on a FIFO');
    });
  });

  describe('binary data named like a config', () => {
    const dir = 'robust-binary';
    before(async () => {
      // Bytes with NULs and line breaks: linted as text, every line was a postfix.syntax-error in Problems.
      await vscode.workspace.fs.writeFile(wsUri(dir, 'main.cf'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37 + 11) % 256)));
      await vscode.workspace.fs.writeFile(
        wsUri(dir, 'master.cf'),
        Buffer.from('smtps     inet  n       -       y       -       -       smtpd\n  -o syslog_name=postfix/smtps\n'),
      );
    });
    after(() => removeCreated(dir));

    it('is not linted, and the config beside it still is', async () => {
      await new Promise((r) => setTimeout(r, 1_000));
      await bounded(api.whenIdle(), BOUND_MS, 'the lint after the files appeared');
      await bounded(vscode.commands.executeCommand<number>('mailTlsDoctor.lintWorkspace'), BOUND_MS, 'Lint Workspace');
      const master = ours(wsUri(dir, 'master.cf'));
      assert.ok(
        master.some((d) => codeOf(d) === 'postfix.smtps-without-wrappermode'),
        `master.cf: ${master.map(codeOf).join(', ')}`,
      );
      assert.deepEqual(ours(wsUri(dir, 'main.cf')).map(codeOf), []);
    });
  });

  describe('a .env port changed on disk', () => {
    const dir = 'robust-env';
    const env = () => wsUri(dir, '.env');
    const mailer = () => wsUri(dir, 'mailer.js');
    const writeEnv = (port: number) => vscode.workspace.fs.writeFile(env(), Buffer.from(`MTD_ROBUST_HOST=smtp.example.com\nMTD_ROBUST_PORT=${port}\n`));
    const flagged = () => ours(mailer()).some((d) => codeOf(d) === 'nodemailer.plaintext-on-implicit-port');

    before(async () => {
      await writeEnv(465);
      await vscode.workspace.fs.writeFile(
        mailer(),
        Buffer.from(
          "const nodemailer = require('nodemailer');\n" +
            'module.exports = nodemailer.createTransport({\n' +
            '  host: process.env.MTD_ROBUST_HOST,\n' +
            '  port: Number(process.env.MTD_ROBUST_PORT),\n' +
            '  secure: false,\n' +
            '});\n',
        ),
      );
    });

    after(() => removeCreated(dir));

    it('clears the implicit-port finding at 587 and brings it back at 465 (the cached .env read is dropped)', async () => {
      await waitFor(flagged, 'the finding with SMTP port 465 in .env');
      await writeEnv(587);
      await waitFor(async () => {
        await bounded(api.whenIdle(), BOUND_MS, 'the lint after the .env change');
        return !flagged();
      }, 'the finding to clear once .env says 587');
      await writeEnv(465);
      await waitFor(async () => {
        await bounded(api.whenIdle(), BOUND_MS, 'the lint after the .env change');
        return flagged();
      }, 'the finding to return once .env says 465 again');
      const d = ours(mailer()).find((x) => codeOf(x) === 'nodemailer.plaintext-on-implicit-port');
      assert.ok(d);
      const rel = d.relatedInformation ?? [];
      assert.ok(
        rel.some((r) => r.location.uri.toString() === env().toString()),
        `related: ${rel.map((r) => r.location.uri.toString()).join(', ')}`,
      );
    });
  });

  describe('a certificate main.cf names, replaced on disk (the lint keeps side files while their stat is unchanged)', () => {
    const dir = 'robust-side';
    const mainCf = () => wsUri(dir, 'main.cf');
    // Outside the workspace (main.cf names it by a relative path). The folder's own watcher (next describe) may report
    // the change too; the stat check alone is covered by test/unit/extension/sideFileCache.test.ts.
    const pair = outsidePair('Side File Test', 'mail.side.test', { cert: 'mail.pem', key: 'mail.key' });
    const expired = () => ours(mainCf()).some((d) => codeOf(d) === 'postfix.cert-expired');

    before(async () => {
      pair.replace(-1, 60);
      await vscode.workspace.fs.writeFile(mainCf(), Buffer.from(pair.mainCfText(mainCf())));
    });

    after(async () => {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await removeCreated(dir);
      pair.remove();
    });

    it('a keystroke in an open main.cf sees the renewed, then the expired certificate (no watcher event needed)', async () => {
      const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(mainCf()));
      await waitFor(expired, 'postfix.cert-expired for the expired certificate');
      const typed = async (text: string) => {
        assert.ok(await editor.edit((b) => b.insert(new vscode.Position(0, 0), text)), 'the editor refused the edit');
        await new Promise((r) => setTimeout(r, 500));
        await bounded(api.whenIdle(), BOUND_MS, 'the lint after a keystroke');
      };
      // The lints so far kept the expired pair; they are replaced (older dates, other bytes) and main.cf typed in.
      await typed('# before\n');
      assert.ok(expired(), ours(mainCf()).map(codeOf).join(', '));
      pair.replace(200, 50);
      await typed('# renewed\n');
      assert.ok(!expired(), `still expired after the renewal: ${ours(mainCf()).map(codeOf).join(', ')}`);
      pair.replace(-2, 40);
      await typed('# expired again\n');
      assert.ok(expired(), ours(mainCf()).map(codeOf).join(', '));
    });
  });

  describe("a certificate outside the workspace, renewed while main.cf is closed (a watcher on the certificate's folder)", () => {
    const dir = 'robust-outside';
    const mainCf = () => wsUri(dir, 'main.cf');
    // A relative path out of the workspace: the live /etc/postfix/main.cf opened on the server names
    // /etc/letsencrypt/live/<name>/fullchain.pem, outside its workspace, the same way (a copy's absolute paths are
    // not read: postfix.file-checks-skipped).
    const pair = outsidePair('Outside Folder Test', 'mail.outside.test', { cert: 'fullchain.pem', key: 'privkey.pem' });
    const expired = () => ours(mainCf()).some((d) => codeOf(d) === 'postfix.cert-expired');

    before(async () => {
      pair.replace(-1, 60);
      await vscode.workspace.fs.writeFile(mainCf(), Buffer.from(pair.mainCfText(mainCf())));
    });

    after(async () => {
      await removeCreated(dir);
      pair.remove();
    });

    it('the renewal clears postfix.cert-expired without an edit or a save, and the next expiry brings it back', async () => {
      // Opened once to be linted (the workspace watcher may miss a file in a folder made with it), then closed.
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(mainCf()));
      await waitFor(expired, 'postfix.cert-expired for the expired certificate');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await bounded(api.whenIdle(), BOUND_MS, 'the lints after main.cf was closed');
      assert.ok(expired(), 'closing main.cf keeps its findings');
      // main.cf is neither open nor written again: only an event from the certificate's folder can start a lint.
      pair.replace(200, 30);
      await waitFor(() => !expired(), 'the renewed certificate to clear postfix.cert-expired');
      pair.replace(-3, 20);
      await waitFor(expired, 'postfix.cert-expired to come back for the expired replacement');
    });
  });

  describe('severity overrides', () => {
    const config = () => vscode.workspace.getConfiguration('mailTlsDoctor');
    const legacy = () => ours(wsUri('etc', 'postfix', 'main.cf')).filter((d) => codeOf(d) === 'postfix.legacy-protocols');

    after(() => config().update('severityOverrides', undefined, vscode.ConfigurationTarget.Global));

    it('"off" removes postfix.legacy-protocols and removing the override restores it', async () => {
      await waitFor(() => legacy().length === 2, 'the two legacy-protocols diagnostics in main.cf');
      const severities = () =>
        legacy()
          .map((d) => d.severity)
          .sort();
      const before = severities();
      await config().update('severityOverrides', { 'postfix.legacy-protocols': 'off' }, vscode.ConfigurationTarget.Global);
      await waitFor(async () => {
        await bounded(api.whenIdle(), BOUND_MS, 'the relint after the settings change');
        return legacy().length === 0;
      }, 'postfix.legacy-protocols to be switched off');
      // Only that id: the other main.cf findings are still there.
      assert.ok(ours(wsUri('etc', 'postfix', 'main.cf')).some((d) => codeOf(d) === 'postfix.relayhost-needs-wrappermode'));
      await config().update('severityOverrides', undefined, vscode.ConfigurationTarget.Global);
      await waitFor(async () => {
        await bounded(api.whenIdle(), BOUND_MS, 'the relint after the settings change');
        return legacy().length === 2;
      }, 'postfix.legacy-protocols to come back');
      assert.deepEqual(severities(), before);
    });
  });
});

/**
 * A certificate and its key in a folder of their own outside the workspace, which a main.cf names by a relative
 * path. `replace` writes a new pair behind VS Code's back, as a renewal script or `cp` would, dated `ageS` seconds
 * back: a file modified in the last 2 s is read on every lint anyway, so only an older one shows whether a kept text
 * goes stale.
 */
function outsidePair(label: string, cn: string, files: { cert: string; key: string }) {
  const DAY = 86_400_000;
  const pki = makePki(label);
  const certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-side-'));
  return {
    replace(days: number, ageS: number): void {
      const leaf = pki.leaf({ cn, sans: [cn], notBefore: new Date(Date.now() - 400 * DAY), notAfter: new Date(Date.now() + days * DAY) });
      const when = new Date(Date.now() - ageS * 1000);
      for (const [file, text] of [
        [files.key, leaf.keyPem],
        [files.cert, pki.chain(leaf)],
      ]) {
        fs.writeFileSync(path.join(certDir, file), text);
        fs.utimesSync(path.join(certDir, file), when, when);
      }
    },
    mainCfText(mainCf: vscode.Uri): string {
      const rel = path.relative(path.dirname(mainCf.fsPath), certDir).split(path.sep).join('/');
      return `smtpd_tls_security_level = may\nsmtpd_tls_cert_file = ${rel}/${files.cert}\nsmtpd_tls_key_file = ${rel}/${files.key}\n`;
    },
    remove: () => fs.rmSync(certDir, { recursive: true, force: true }),
  };
}
