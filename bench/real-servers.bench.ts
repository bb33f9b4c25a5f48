/**
 * The probe against real servers (the interop tier's stand-alone Postfix and Dovecot on loopback), beside the
 * reference tools on the same endpoints, all measured in this run:
 * - in-process: a full diagnosis (dialogue, all four TLS versions, chain judged, post-TLS EHLO/CAPABILITY) vs
 *   posttls-finger (SMTP) or `openssl s_client` (IMAP) as whole processes;
 * - whole CLI process: what `mail-tls-doctor probe` adds on top of `node -e 0`, vs the same reference;
 * - `mail-tls-doctor --version` vs `node -e 0` (what starting the CLI costs).
 * A missing server or tool skips its rows and says so. Goals (issue 15): in-process and CLI-added at most 2x
 * the reference, --version at most 1.2x node -e 0.
 */
import { execFile, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Endpoint } from '../src/core/endpoint';
import { ConnectionLimiter, probeEndpoint } from '../src/core/probe';
import { writeServerCerts, SERVER_NAME } from '../test/support/mailservers/certs';
import { startDovecot, type DovecotInstance } from '../test/support/mailservers/dovecot';
import { startPostfix, type PostfixInstance } from '../test/support/mailservers/postfix';
import { findTool } from '../test/support/mailservers/tools';
import { makePki } from '../test/support/pki';
import { median, ms, ratio, timeInTurns } from './stats';

const RUNS = 15;
const root = path.resolve(__dirname, '..');
const cli = path.join(root, 'dist', 'cli.js');

function runProcess(cmd: string, args: string[], input = '', env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { timeout: 15_000, env }, (err) => {
      // Reference tools exit non-zero on EOF after a good handshake; only a kill by the time limit is a failure.
      if (err && (err as { killed?: boolean }).killed) reject(err);
      else resolve();
    });
    child.stdin?.end(input);
  });
}

export async function run(log: (line: string) => void): Promise<void> {
  if (spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' }).status !== 0) throw new Error('build failed');
  // In turns: each pair sees the same load, so the ratio holds even while the machine's load drifts.
  const [bareTimes, versionTimes] = await timeInTurns(
    [() => runProcess(process.execPath, ['-e', '0']), () => runProcess(process.execPath, [cli, '--version'])],
    RUNS,
  );
  const nodeBare = median(bareTimes);
  const version = median(versionTimes);
  log(`node -e 0: median ${ms(nodeBare)}; mail-tls-doctor --version: ${ms(version)} -> ${ratio(version, nodeBare)} (goal <= 1.2x)`);

  const pki = makePki('Bench');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-bench-real-'));
  const certs = writeServerCerts(pki, dir);
  const caFile = pki.rootFile();
  const finger = findTool('posttls-finger');
  const openssl = findTool('openssl');
  let postfix: PostfixInstance | undefined;
  let dovecot: DovecotInstance | undefined;
  try {
    if (!findTool('postfix')) log('skipped: Postfix rows (postfix is not installed)');
    else postfix = await startPostfix({ services: [{ name: 'smtp', tls: 'starttls' }], defaultCert: certs['full-chain'] });
    if (!findTool('dovecot')) log('skipped: Dovecot rows (dovecot is not installed)');
    else dovecot = await startDovecot({ name: 'bench', cert: certs['full-chain'], listeners: ['imap', 'imaps'] });

    const rows: Array<{ label: string; ep: Endpoint; cliArgs: string[]; reference?: { name: string; run: () => Promise<void> } }> = [];
    if (postfix) {
      const port = postfix.ports.smtp;
      rows.push({
        label: 'Postfix SMTP STARTTLS',
        ep: { host: '127.0.0.1', port, protocol: 'smtp', mode: 'starttls', servername: SERVER_NAME, caFiles: [caFile] },
        cliArgs: [`127.0.0.1:${port}`, '--starttls'],
        reference: finger
          ? {
              name: 'posttls-finger (verified)',
              // The instance's config disables DNS, as in the interop tier: no lookup, /etc/postfix untouched.
              run: () =>
                runProcess(finger, ['-c', '-l', 'secure', '-F', caFile, '-s', SERVER_NAME, `[127.0.0.1]:${port}`, SERVER_NAME], '', {
                  ...process.env,
                  MAIL_CONFIG: path.join(postfix!.dir, 'etc'),
                }),
            }
          : undefined,
      });
    }
    if (dovecot) {
      for (const [listener, mode] of [
        ['imap', 'starttls'],
        ['imaps', 'implicit'],
      ] as const) {
        const port = dovecot.ports[listener]!;
        const sClientArgs = [
          's_client',
          '-connect',
          `127.0.0.1:${port}`,
          '-servername',
          SERVER_NAME,
          '-verify_hostname',
          SERVER_NAME,
          '-CAfile',
          caFile,
          '-verify_return_error',
          '-brief',
        ];
        if (mode === 'starttls') sClientArgs.push('-starttls', 'imap');
        rows.push({
          label: `Dovecot IMAP ${mode === 'starttls' ? 'STARTTLS' : 'implicit TLS'}`,
          ep: { host: '127.0.0.1', port, protocol: 'imap', mode, servername: SERVER_NAME, caFiles: [caFile] },
          cliArgs: [`127.0.0.1:${port}`, '--protocol', 'imap', mode === 'starttls' ? '--starttls' : '--implicit'],
          reference: openssl ? { name: 'openssl s_client (verified)', run: () => runProcess(openssl, sClientArgs, 'a LOGOUT\r\n') } : undefined,
        });
      }
    }

    for (const row of rows) {
      const limiter = () => new ConnectionLimiter({ global: 256 });
      const results = await probeEndpoint(row.ep, { limiter: limiter() }); // warm-up, and a sanity check
      const bad = results.filter((r) => r.trusted !== true);
      if (bad.length)
        throw new Error(`${row.label}: the healthy endpoint was not judged trusted: ${bad.map((r) => r.findings.map((f) => f.id).join(', ')).join('; ')}`);
      // Each connection costs the server a process start (Dovecot's imap-login): say how many one probe opens.
      const connections = results[0].transcript.filter((l) => /^connected to /.test(l.text)).length;
      const oneHello = /one hello offering both/.test(results[0].versionReasons?.TLSv1 ?? '');
      log(`${row.label}: ${connections} connections per probe (TLS 1.0 and 1.1 ${oneHello ? 'decided by one hello' : 'not both decided by one hello'})`);
      const cliArgs = ['probe', ...row.cliArgs, '--servername', SERVER_NAME, '--ca', caFile, '--json'];
      // In turns, with node -e 0 again: what the CLI adds is taken against the bare start under the same load.
      const turns = await timeInTurns(
        [
          () => probeEndpoint(row.ep, { limiter: limiter() }),
          () => runProcess(process.execPath, [cli, ...cliArgs]),
          () => runProcess(process.execPath, ['-e', '0']),
          ...(row.reference ? [row.reference.run] : []),
        ],
        RUNS,
      );
      const [inProcess, whole, bare] = turns.slice(0, 3).map(median);
      const added = Math.max(0, whole - bare);
      // The same, paired: each turn's CLI run less the node -e 0 right after it, so that a slow stretch of the
      // machine, which slows both, cancels out instead of landing in one median and not the other.
      const addedPaired = Math.max(0, median(turns[1].map((t, i) => t - turns[2][i])));
      log(`${row.label}: full diagnosis in-process ${ms(inProcess)}; CLI process ${ms(whole)} (adds ${ms(added)} to node -e 0, ${ms(bare)} in these turns)`);
      if (!row.reference) {
        log(`  skipped: reference tool for ${row.label} (not installed)`);
        continue;
      }
      const ref = median(turns[3]);
      log(`  ${row.reference.name}: ${ms(ref)} -> in-process ${ratio(inProcess, ref)}, CLI added ${ratio(added, ref)} (goal <= 2x each)`);
      log(`  CLI added, median of each turn's own difference: ${ms(addedPaired)} -> ${ratio(addedPaired, ref)}`);
      // What the per-host cap (2 by default) costs against a real server: its four connections in four rounds
      // at a cap of 1, two at 2; 4 is what an uncapped probe would open at once.
      const caps = [1, 2, 4];
      const byCap = (
        await timeInTurns(
          caps.map((perHost) => () => probeEndpoint(row.ep, { limiter: new ConnectionLimiter({ global: 256, perHost }) })),
          RUNS,
        )
      ).map(median);
      log(`  per-host cap, in-process, in turns: ${caps.map((c, i) => `cap ${c}: ${ms(byCap[i])}`).join(', ')} -> cap 2 / cap 4: ${ratio(byCap[1], byCap[2])}`);
    }
  } finally {
    await postfix?.stop();
    await dovecot?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
