// Runs inside the extension host during `npm run screenshots` (its extensionTestsPath): what a user gets by
// waiting, a watch-mode round every few minutes, the screenshot script asks for through the extension's API
// instead. Requests and answers are files in $MTD_WINDOW_CHECK_DIR: `request-N.json` ({ "op": "watch-round" }
// or { "op": "exit" }), answered by `answer-N.json`.
const fs = require('node:fs');
const path = require('node:path');

exports.run = async function run() {
  const vscode = require('vscode');
  const dir = process.env.MTD_WINDOW_CHECK_DIR;
  if (!dir) throw new Error('MTD_WINDOW_CHECK_DIR is not set');
  const ext = vscode.extensions.getExtension('mail-tls-doctor.mail-tls-doctor');
  if (!ext) throw new Error('the extension is not installed');
  const api = await ext.activate();
  await api.whenStarted();
  const deadline = Date.now() + 15 * 60_000;
  for (let n = 1; Date.now() < deadline;) {
    const file = path.join(dir, `request-${n}.json`);
    if (!fs.existsSync(file)) {
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    const { op } = JSON.parse(fs.readFileSync(file, 'utf8'));
    let answer = { ok: true };
    if (op === 'exit') return;
    if (op === 'watch-round') {
      await api.runWatchRound();
      answer = { ok: true, transitions: api.watch()?.transitions ?? [] };
    } else answer = { ok: false, error: `unknown op ${op}` };
    // Written aside and renamed: the script polls for the name and must never read half a file.
    fs.writeFileSync(path.join(dir, `answer-${n}.tmp`), JSON.stringify(answer));
    fs.renameSync(path.join(dir, `answer-${n}.tmp`), path.join(dir, `answer-${n}.json`));
    n++;
  }
};
