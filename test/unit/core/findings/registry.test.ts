import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CATALOG } from '../../../../src/core/explain/catalog';
import {
  allFindingIds,
  FAMILIES,
  FINDINGS,
  findingDocs,
  findingSpec,
  isFindingId,
  maillogId,
  makeFinding,
  type FindingId,
} from '../../../../src/core/findings';

const docsDir = path.resolve(__dirname, '../../../../docs');
const pages = [...new Set(Object.values(FAMILIES).map((f) => f.page))];

/** Each table row's first cell on a docs page: the ids it names, and the row's cells. */
function rows(page: string): { ids: string[]; cells: string[] }[] {
  return fs
    .readFileSync(path.join(docsDir, page), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .map((l) => {
      const cells = l
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim());
      return { ids: [...cells[0].matchAll(/`([a-z0-9-]+\.[a-z0-9-]+)`/g)].map((m) => m[1]), cells };
    });
}

describe('finding registry', () => {
  it('every family has an existing docs page', () => {
    for (const [family, { page }] of Object.entries(FAMILIES)) assert.ok(fs.existsSync(path.join(docsDir, page)), `${family}: ${page}`);
  });

  it('docs -> registry: every id a docs table names is registered', () => {
    const unknown = pages.flatMap((page) => rows(page).flatMap((r) => r.ids.filter((id) => !isFindingId(id)).map((id) => `${page}: ${id}`)));
    assert.deepEqual(unknown, []);
  });

  it('registry -> docs: every id has a table row on its family page (maillog ids: their explain row)', () => {
    const missing = allFindingIds().filter((id) => {
      const { page, anchor } = findingDocs(id);
      return !rows(page).some((r) => r.ids.includes(anchor));
    });
    assert.deepEqual(missing, []);
  });

  it('a documented severity column names the default severity', () => {
    const wrong: string[] = [];
    for (const page of pages) {
      for (const r of rows(page)) {
        for (const id of r.ids) {
          if (!isFindingId(id)) continue;
          const { severity } = findingSpec(id);
          // A severity column, or (the explain catalog) `id` (severity) in the first cell, error when unsaid.
          const annotated = new RegExp(`\`${id.replace(/\./g, '\\.')}\` \\((error|warning|info)\\)`).exec(r.cells[0])?.[1];
          const cell = /^(error|warning|info)\b/.test(r.cells[1]) ? r.cells[1] : (annotated ?? 'error');
          if (!new RegExp(`\\b${severity}\\b`).test(cell)) wrong.push(`${id}: ${severity} vs "${cell}"`);
        }
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('every explain catalog entry is registered with its severity, and has its maillog id', () => {
    for (const entry of CATALOG) {
      assert.equal(findingSpec(entry.id).severity, entry.severity, entry.id);
      assert.ok(isFindingId(maillogId(entry.id)));
      assert.equal(findingSpec(maillogId(entry.id)), findingSpec(entry.id));
    }
    const explainIds = Object.keys(FINDINGS).filter((id) => id.startsWith('explain.'));
    assert.deepEqual(explainIds.sort(), CATALOG.map((e) => e.id).sort());
  });

  it('ids are lower-case family.kebab-name and titles one sentence', () => {
    for (const id of allFindingIds()) {
      assert.match(id, /^[a-z0-9]+\.[a-z0-9]+(-[a-z0-9]+)*$/);
      assert.match(findingSpec(id).title, /^\S.*[.]$/, id);
    }
    assert.equal(isFindingId('maillog.no-such-entry'), false);
    assert.equal(isFindingId('cert.no-such-id'), false);
    assert.equal(isFindingId('constructor'), false);
  });

  it('makeFinding takes the default severity and title from the registry, and drops undefined fields', () => {
    const f = makeFinding('tls.no-tls13', { detail: 'd', fix: 'x', evidence: undefined, file: 'a.cf' });
    assert.deepEqual(f, { id: 'tls.no-tls13', severity: 'info', title: 'The server does not offer TLS 1.3.', detail: 'd', fix: 'x', file: 'a.cf' });
    assert.ok(!('evidence' in f));
    const g = makeFinding('maillog.cert-expired', { severity: 'warning', title: 'T.', detail: 'd', fix: 'x' });
    assert.equal(g.severity, 'warning');
    assert.equal(g.title, 'T.');
    // @ts-expect-error an unregistered id does not compile
    const bad: FindingId = 'cert.no-such-id';
    assert.equal(isFindingId(bad), false);
  });
});
