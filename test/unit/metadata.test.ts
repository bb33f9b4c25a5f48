import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { allFindingIds, docsPageForFamily, FAMILIES, findingDocs, isFindingId } from '../../src/core/findings';
import { SettingKey } from '../../src/extension/settings';

const root = path.resolve(__dirname, '../..');
const read = (p: string) => fs.readFileSync(path.join(root, p), 'utf8');

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    return e.isDirectory() ? sources(rel) : e.name.endsWith('.ts') ? [rel] : [];
  });
}

/** The docs page the editor links a finding id to, and the id its row names (both from the finding registry). */
function docsOf(id: string): { page: string; anchor: string } {
  if (!isFindingId(id)) return { page: `docs/${docsPageForFamily(id.split('.')[0]) ?? 'findings-probe.md'}`, anchor: id };
  const { page, anchor } = findingDocs(id);
  return { page: `docs/${page}`, anchor };
}

/**
 * docs/architecture.md, Tests: test/unit mirrors src/. A file under test/unit/DIR/ needs the folder src/DIR/; tests
 * of test/support and scripts/ sit under test/unit/support and test/unit/scripts (mirroring those folders), and
 * metadata.test.ts, about the package as a whole, is the one file at the top. Returns what is wrong, if anything.
 */
function mirrorProblem(rel: string, isDir: (p: string) => boolean): string | undefined {
  const parts = rel.split('/');
  if (!parts[parts.length - 1].endsWith('.test.ts')) return `${rel}: only *.test.ts files belong in test/unit (helpers go to test/support)`;
  const dirs = parts.slice(0, -1);
  if (dirs.length === 0) return rel === 'metadata.test.ts' ? undefined : `${rel}: only metadata.test.ts sits at the top of test/unit`;
  const mirrored = dirs[0] === 'scripts' ? ['scripts', ...dirs.slice(1)] : dirs[0] === 'support' ? ['test', 'support', ...dirs.slice(1)] : ['src', ...dirs];
  return isDir(mirrored.join('/')) ? undefined : `${rel}: test/unit/${dirs.join('/')} mirrors ${mirrored.join('/')}, which does not exist`;
}

describe('metadata', () => {
  it('every finding id the core can produce is documented on the page its diagnostics link to', () => {
    // Every registered id, and every id-like literal of a registered family in the core (a string-typed id).
    const family = `(?:${Object.keys(FAMILIES).join('|')})`;
    const literal = new RegExp(`['\`](${family}\\.[a-z0-9]+(?:-[a-z0-9]+)*)['\`]`, 'g');
    const ids = new Set<string>(allFindingIds());
    for (const file of sources('src/core')) {
      for (const line of read(file).split('\n')) {
        if (/\blabel:/.test(line)) continue; // option paths like 'tls.servername' are labels, not ids
        for (const m of line.matchAll(literal)) ids.add(m[1]);
      }
    }
    assert.ok(ids.size > 80, `only ${ids.size} ids found: the scan is broken`);
    const undocumented = [...ids].filter((id) => {
      const { page, anchor } = docsOf(id);
      return !read(page).includes(`\`${anchor}\``);
    });
    assert.deepEqual(undocumented, []);
  });

  it('the version in package.json heads the changelog', () => {
    const { version } = JSON.parse(read('package.json')) as { version: string };
    const first = /^## (\S+)/m.exec(read('CHANGELOG.md'));
    assert.equal(first?.[1], version);
  });

  it('every walkthrough step is checked off by running the command its description links (VS Code ticks a step only on its completionEvents)', () => {
    type Step = { id: string; description: string; completionEvents?: string[] };
    const pkg = JSON.parse(read('package.json')) as { contributes: { commands: { command: string }[]; walkthroughs: { steps: Step[] }[] } };
    const commands = new Set(pkg.contributes.commands.map((c) => c.command));
    for (const step of pkg.contributes.walkthroughs.flatMap((w) => w.steps)) {
      const linked = [...step.description.matchAll(/\(command:([\w.]+)\)/g)].map((m) => m[1]);
      assert.ok(linked.length > 0, `step ${step.id} links no command`);
      for (const c of linked) {
        assert.ok(commands.has(c), `step ${step.id} links ${c}, which the manifest does not contribute`);
        assert.ok(step.completionEvents?.includes(`onCommand:${c}`), `step ${step.id} is never checked off: no completionEvents onCommand:${c}`);
      }
    }
  });

  it('every setting the manifest contributes is read by the extension and documented with its default (Marketplace table, README list)', () => {
    type Prop = { default: unknown };
    const pkg = JSON.parse(read('package.json')) as { contributes: { configuration: { properties: Record<string, Prop> } } };
    const declared = Object.keys(pkg.contributes.configuration.properties).sort();
    assert.deepEqual(
      declared,
      Object.values(SettingKey)
        .map((k) => `mailTlsDoctor.${k}`)
        .sort(),
      'package.json vs SettingKey (src/extension/settings.ts)',
    );
    // docs/extension-readme.md: a row "| `mailTlsDoctor.KEY` | DEFAULT | ... |" per setting, its default as JSON.
    const table = new Map([...read('docs/extension-readme.md').matchAll(/^\| `(mailTlsDoctor\.[\w.]+)` \| ([^|]+) \|/gm)].map((m) => [m[1], m[2].trim()]));
    const readme = read('README.md');
    const wrong: string[] = [];
    for (const [key, { default: value }] of Object.entries(pkg.contributes.configuration.properties)) {
      if (table.get(key) !== JSON.stringify(value))
        wrong.push(`extension-readme.md: ${key} is ${table.get(key) ?? 'missing'}, package.json ${JSON.stringify(value)}`);
      if (!readme.includes(`\`${key.replace(/^mailTlsDoctor\./, '')}\``)) wrong.push(`README.md: ${key} is not named`);
    }
    for (const key of table.keys()) if (!(key in pkg.contributes.configuration.properties)) wrong.push(`extension-readme.md: ${key} is no setting`);
    assert.deepEqual(wrong, []);
  });

  it('engines.vscode is no newer than the @types/vscode the code is checked against', () => {
    const pkg = JSON.parse(read('package.json')) as { engines: { vscode: string }; devDependencies: Record<string, string> };
    const engine = pkg.engines.vscode.replace(/^\^/, '');
    const types = pkg.devDependencies['@types/vscode'].replace(/^[\^~]/, '');
    const minor = (v: string) => v.split('.').slice(0, 2).map(Number);
    const [eMaj, eMin] = minor(engine);
    const [tMaj, tMin] = minor(types);
    assert.ok(tMaj < eMaj || (tMaj === eMaj && tMin <= eMin), `@types/vscode ${types} is newer than engines.vscode ${engine}`);
  });

  it('test/unit mirrors src/ (and test/support, scripts/), as docs/architecture.md says', () => {
    const isDir = (p: string) => fs.statSync(path.join(root, p), { throwIfNoEntry: false })?.isDirectory() === true;
    const files = (dir: string): string[] =>
      fs.readdirSync(path.join(root, 'test/unit', dir), { withFileTypes: true }).flatMap((e) => {
        const rel = dir ? `${dir}/${e.name}` : e.name;
        return e.isDirectory() ? files(rel) : [rel];
      });
    const all = files('');
    assert.ok(all.length > 50, `only ${all.length} files under test/unit`);
    assert.deepEqual(
      all.map((f) => mirrorProblem(f, isDir)).filter((p) => p !== undefined),
      [],
    );
  });

  it('the mirror rule rejects a test whose folder is not in src/', () => {
    const dirs = new Set(['src', 'src/core', 'src/core/probe', 'scripts', 'test/support', 'test/support/lab']);
    const isDir = (p: string) => dirs.has(p);
    const ok = [
      'metadata.test.ts',
      'core/probe/dialogue.test.ts',
      'core/adviceTexts.test.ts',
      'scripts/vscodeHost.test.ts',
      'support/pki.test.ts',
      'support/lab/x.test.ts',
    ];
    for (const f of ok) assert.equal(mirrorProblem(f, isDir), undefined, f);
    const bad = [
      'probeDialogue.test.ts',
      'probe/dialogue.test.ts',
      'core/probes/dialogue.test.ts',
      'support/hostile/x.test.ts',
      'scripts/sub/x.test.ts',
      'core/probe/helper.ts',
    ];
    for (const f of bad) assert.ok(mirrorProblem(f, isDir), f);
  });
});
