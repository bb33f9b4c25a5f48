/**
 * Microsoft's SARIF validator (`@microsoft/sarif-multitool`, offline). It exits 0 even when the log is invalid,
 * so this reads its output log: every result of level `error` (JSON schema `JSON1xxx`, rule `SARIF1xxx`) is a
 * problem. Warnings and notes (style advice such as SARIF2005 "provide informationUri") are returned apart.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface SarifValidation {
  errors: string[];
  warnings: string[];
}

function multitool(): string {
  const bin = require('@microsoft/sarif-multitool') as string;
  // npm may skip the package's postinstall `chmod u+x`.
  const mode = fs.statSync(bin).mode;
  if ((mode & 0o100) === 0) fs.chmodSync(bin, mode | 0o100);
  return bin;
}

export async function validateSarif(log: unknown): Promise<SarifValidation> {
  return (await validateSarifLogs({ log })).log;
}

/** Several logs in one validator run (it takes seconds to start): the verdict per name. */
export async function validateSarifLogs<K extends string>(logs: Record<K, unknown>): Promise<Record<K, SarifValidation>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-sarif-'));
  try {
    const names = Object.keys(logs) as K[];
    const inputs = names.map((n, i) => {
      const file = path.join(dir, `log${i}.sarif`);
      const log = logs[n];
      fs.writeFileSync(file, typeof log === 'string' ? log : JSON.stringify(log));
      return file;
    });
    const output = path.join(dir, 'validation.out');
    await new Promise<void>((resolve, reject) => {
      execFile(
        multitool(),
        ['validate', ...inputs, '-o', output, '--log', 'ForceOverwrite'],
        { timeout: 120_000, env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1' } },
        (err, _stdout, stderr) => {
          if (err) reject(new Error(`sarif-multitool failed: ${err.message}\n${stderr}`));
          else resolve();
        },
      );
    });
    type R = {
      level?: string;
      ruleId?: string;
      message: { text?: string; id?: string; arguments?: string[] };
      locations?: { physicalLocation?: { artifactLocation?: { uri?: string } } }[];
    };
    const out = JSON.parse(fs.readFileSync(output, 'utf8')) as { runs: { results?: R[] }[] };
    const results = out.runs.flatMap((r) => r.results ?? []);
    const say = (r: R) => `${r.ruleId}: ${r.message.text ?? `${r.message.id} ${JSON.stringify(r.message.arguments ?? [])}`}`;
    const verdicts = {} as Record<K, SarifValidation>;
    names.forEach((n, i) => {
      const mine = results.filter((r) => (r.locations?.[0]?.physicalLocation?.artifactLocation?.uri ?? '').endsWith(`/log${i}.sarif`));
      verdicts[n] = { errors: mine.filter((r) => r.level === 'error').map(say), warnings: mine.filter((r) => r.level !== 'error').map(say) };
    });
    // A result the validator could not attribute to one file counts against all of them.
    const unattributed = results.filter((r) => !/\/log\d+\.sarif$/.test(r.locations?.[0]?.physicalLocation?.artifactLocation?.uri ?? ''));
    for (const n of names) verdicts[n].errors.push(...unattributed.filter((r) => r.level === 'error').map(say));
    return verdicts;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
