// `npm run demo`: starts the failure lab (real SMTP/IMAP/POP3 servers on loopback, a fresh test PKI) and runs
// the bundled CLI against every server, printing what a user would see. Exits 0 only when every diagnosis is
// the expected one. Loaded with `node --import tsx` so it can use the TypeScript lab directly.
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist', 'cli.js');
const { startLab } = await import(path.join(root, 'test/support/lab/index.ts'));

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code) => (s) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
const [bold, green, red, dim] = [paint('1'), paint('32'), paint('31'), paint('2')];

function runCli(args) {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, 'probe', ...args], { timeout: 60_000, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 99) : 0, stdout, stderr });
    });
  });
}

/** Ids in the human output: "[cert.expired]" tags, and the ids the "info findings" line lists. */
function idsIn(text) {
  const ids = new Set([...text.matchAll(/\[([a-z0-9-]+\.[a-z0-9.-]+)\]/g)].map((m) => m[1]));
  for (const m of text.matchAll(/info findings?: ([a-z0-9., -]+);/g)) for (const id of m[1].split(', ')) ids.add(id.trim());
  return ids;
}

const lab = await startLab();
let failures = 0;
try {
  const names = Object.keys(lab.servers);
  console.log(bold(`Mail TLS Doctor demo: ${names.length} lab servers on 127.0.0.1, CA ${lab.caFile}\n`));
  const runs = new Map();
  let next = 0;
  // A few CLI processes at a time: each is a real, separate `mail-tls-doctor probe`.
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < names.length) {
        const name = names[next++];
        const s = lab.servers[name];
        const args = [
          `${s.host}:${s.port}`,
          '--protocol',
          s.protocol,
          s.mode === 'implicit' ? '--implicit' : '--starttls',
          '--servername',
          s.servername,
          '--ca',
          lab.caFile,
          '--timeout',
          '1500',
        ];
        runs.set(name, { args, ...(await runCli(args)) });
      }
    }),
  );
  for (const name of names) {
    const s = lab.servers[name];
    const r = runs.get(name);
    const found = idsIn(r.stdout);
    const missing = s.expect.filter((id) => !found.has(id));
    const healthyButNoisy = s.expect.length === 0 && (r.code !== 0 || /\b(error|warning)\b {0,2}/.test(r.stdout.replace(/\u001b\[[0-9;]*m/g, '')));
    const wrongExit = r.code !== 0 && r.code !== 1;
    const ok = missing.length === 0 && !healthyButNoisy && !wrongExit;
    if (!ok) failures++;
    console.log(
      `${ok ? green('PASS') : red('FAIL')} ${bold(name)}: ${s.description}; expected ${s.expect.length ? s.expect.join(', ') : 'no error or warning'}`,
    );
    console.log(dim(`$ mail-tls-doctor probe ${r.args.join(' ')}   (exit ${r.code})`));
    process.stdout.write(r.stdout.trimEnd().replace(/^/gm, '  ') + '\n');
    if (r.stderr.trim()) process.stdout.write(dim(r.stderr.replace(/^/gm, '  ')));
    if (missing.length) console.log(red(`  missing: ${missing.join(', ')}`));
    console.log();
  }
  console.log(
    bold(failures === 0 ? green(`All ${names.length} diagnoses as expected.`) : red(`${failures} of ${names.length} diagnoses differ from the expected ones.`)),
  );
} finally {
  await lab.close();
}
process.exit(failures === 0 ? 0 : 1);
