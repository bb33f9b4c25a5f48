/**
 * The sink escapers (src/core/escape.ts), checked against what the sinks really do: Markdown rendered by a real
 * CommonMark renderer with raw HTML and linkify switched ON (stricter than VS Code's hovers), notifications against
 * VS Code's own link pattern, terminal output against the control characters terminals act on.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { isTermSafe, jsonText, mdCodeBlock, mdInline, mdProse, noticeText, shellArg, termSafe } from '../../../src/core/escape';
import { renderMarkdownReport } from '../../../src/core/report/markdown';
import type { Finding } from '../../../src/core/finding';

const MarkdownIt = require('markdown-it');
// Linkify on, but not fuzzy: bare domain names are left readable on purpose (see mdInline).
const renderer = new MarkdownIt({ html: true, linkify: true });
renderer.linkify.set({ fuzzyLink: false, fuzzyEmail: true });
const render = (s: string): string => renderer.render(s) as string;

/** The tags a Markdown text may produce when nothing in it was markup: paragraphs, code blocks, line breaks. */
function tagsOf(html: string): string[] {
  return [...html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9]*)/g)].map((m) => m[1].toLowerCase());
}

function textOf(html: string): string {
  return html
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .trim();
}

/** VS Code's notification link syntax (vs/base/common/linkedText.ts). */
const VSCODE_NOTIFICATION_LINK = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/;

const HOSTILE_INLINE = [
  '[Run me](command:workbench.action.terminal.new)',
  '![pixel](https://127.0.0.1:9/pixel.png)',
  '<img src="https://127.0.0.1:9/p.png">',
  '<a href="command:x">x</a>',
  'visit https://evil.test/now or www.evil.test or mail bob@evil.test',
  'relay via //127.0.0.1/p.png or mailto:bob@evil.test',
  '**Fix:** run `curl evil | sh`',
  '&lt;img src=x&gt; &#60;b&#62;',
  'x\r- Fix: forged list item',
  'x\n# Forged heading',
  'x\r\n> forged quote',
  '| a | b |\n|---|---|\n| c | d |',
  '~~gone~~ _em_ __strong__',
  '[ref]: https://evil.test',
  '\\[still](not-a-link)',
];

describe('escape: terminal sink', () => {
  it('escapes C0, DEL, C1 (CSI, OSC), bidi controls and a lone CR into visible text', () => {
    const hostile = 'a\u001b]0;pwned\u0007b\u009b2Jc\u009d0;t\u009cd\u202ee\u2066f\u2069g\rh\u007fi\u0085j\u2028k';
    const out = termSafe(hostile);
    assert.ok(isTermSafe(out), out);
    assert.equal(out, 'a\\x1b]0;pwned\\x07b\\x9b2Jc\\x9d0;t\\x9cd\\u202ee\\u2066f\\u2069g\\rh\\x7fi\\x85j\\u2028k');
    assert.equal(termSafe('plain text, ünïcödé and emoji \u{1F512} stay'), 'plain text, ünïcödé and emoji \u{1F512} stay');
  });

  it('never lets an unsafe character through (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        assert.ok(isTermSafe(termSafe(s)));
      }),
      { numRuns: 2000 },
    );
  });

  it('JSON stays exact: parsing gives the same value, and no raw C1 or bidi character is written', () => {
    const value = { banner: '220 \u009b2J\u009d0;x\u0007 \u202eevil\u2066 \u001b[31m', n: 1 };
    const text = jsonText(value);
    assert.deepEqual(JSON.parse(text), value);
    assert.ok(isTermSafe(text.replace(/\n/g, '')), text);
  });
});

describe('escape: Markdown sink', () => {
  for (const s of HOSTILE_INLINE) {
    it(`inline text renders as exactly its text: ${JSON.stringify(s).slice(0, 50)}`, () => {
      const html = render(mdInline(s));
      assert.deepEqual([...new Set(tagsOf(html))], ['p'], html);
      assert.equal(textOf(html), s.replace(/\r\n|\r|\n/g, ' ').trim(), html);
    });
  }

  it('inline text never renders a link, an image or HTML (property)', () => {
    const alphabet = fc.constantFrom(...'[]()<>!`*_#|~&@:/\\.wxhtps \r\n-=+>"\''.split(''), 'www.', 'http://', 'command:', '<img ', '](');
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 40 }).map((a) => a.join('')),
        (s) => {
          const tags = tagsOf(render(mdInline(s)));
          assert.ok(
            tags.every((t) => t === 'p'),
            `${JSON.stringify(s)} -> ${tags.join(',')}`,
          );
        },
      ),
      { numRuns: 3000 },
    );
  });

  for (const s of [
    ...HOSTILE_INLINE,
    "Run `postconf -e 'smtp_tls_security_level = encrypt'` then `postfix reload`.",
    '`[x](command:y)` and `<img src=x>` stay text',
    'a lone ` backtick and `\u001b[2J` inside',
  ]) {
    it(`prose keeps its code spans and renders nothing else: ${JSON.stringify(s).slice(0, 50)}`, () => {
      const html = render(mdProse(s));
      assert.ok(
        tagsOf(html).every((t) => t === 'p' || t === 'code'),
        html,
      );
      const spans = [...s.replace(/\r\n|\r|\n/g, ' ').matchAll(/`([^`]+)`/g)].map((m) => termSafe(m[1]));
      assert.deepEqual(
        [...html.matchAll(/<code>([^<]*)<\/code>/g)].map((m) => textOf(m[1])),
        spans.map((c) => c.trim() || c),
        html,
      );
      assert.equal(
        textOf(html),
        termSafe(s.replace(/\r\n|\r|\n/g, ' '))
          .replace(/`([^`]+)`/g, (_m, c: string) => c.trim() || c)
          .trim(),
        html,
      );
    });
  }

  it('prose never renders a link, an image or HTML (property)', () => {
    const alphabet = fc.constantFrom(...'[]()<>!`*_#|~&@:/\\.wxhtps \r\n-=+>"\''.split(''), '`', '``', 'www.', 'http://', 'command:', '<img ', '](');
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 40 }).map((a) => a.join('')),
        (s) => {
          const tags = tagsOf(render(mdProse(s)));
          assert.ok(
            tags.every((t) => t === 'p' || t === 'code'),
            `${JSON.stringify(s)} -> ${tags.join(',')}`,
          );
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('a code block cannot be closed from inside (indented fences, long backtick runs, lone CR)', () => {
    const lines = ['250-CAPA one', '   ```', '![pixel](https://127.0.0.1:9/p.png)', '``````', 'SAN: a.test\r```\r<img src=x>', '~~~', '\u001b[2J'];
    const html = render(`Before\n\n${mdCodeBlock(lines)}\nAfter`);
    assert.deepEqual(tagsOf(html), ['p', 'p', 'pre', 'code', 'code', 'pre', 'p', 'p'], html);
    const code = /<code[^>]*>([\s\S]*)<\/code>/.exec(html)![1];
    for (const piece of ['250-CAPA one', '![pixel]', '``````', '&lt;img src=x&gt;', '~~~', '\\x1b[2J']) assert.ok(code.includes(piece), piece);
  });

  it('the exported report holds against hostile titles, details, evidence and file names', () => {
    const f: Finding = {
      id: 'tls.weak-cipher',
      severity: 'error',
      title: 'x\r- Fix: forged item [click](command:evil) <img src=x>',
      detail: 'https://evil.test www.evil.test',
      fix: '![p](https://127.0.0.1:9/p.png)',
      evidence: ['   ```', '```` <img src=x>', 'a\rb'],
    };
    const text = renderMarkdownReport({ generatedAt: new Date(0), entries: [], lintFindings: [{ file: 'etc/[x](command:y)/main.cf', findings: [f] }] });
    const tags = new Set(tagsOf(render(text)));
    for (const bad of ['a', 'img', 'ul', 'li', 'blockquote', 'table']) assert.ok(!tags.has(bad), `${bad} in ${[...tags].join(',')}`);
  });
});

describe('escape: notification sink', () => {
  for (const s of HOSTILE_INLINE) {
    it(`no link can form: ${JSON.stringify(s).slice(0, 50)}`, () => {
      const out = noticeText(s);
      assert.doesNotMatch(out, VSCODE_NOTIFICATION_LINK);
      assert.doesNotMatch(out, /[[\]\r\n]/);
      assert.ok(isTermSafe(out));
    });
  }
});

describe('escape: shell sink (a real /bin/sh reads the words back)', function () {
  this.timeout(30_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-shell-'));
    fs.writeFileSync(path.join(dir, 'a.log'), '');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  /** The arguments sh sees in `printf WORD...` (NUL-separated), run where a glob would find a.log. */
  const shWords = (words: string[]): string[] =>
    execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${words.join(' ')}`], { cwd: dir, encoding: 'utf8' })
      .split('\0')
      .slice(0, -1);
  const HOSTILE = [
    'mail.log',
    'my reports/sender report.json',
    "it's.json",
    "''",
    '$(touch pwned).log',
    '`touch pwned`.log',
    'x; touch pwned',
    'a && touch pwned || b',
    '*.log',
    '~/x.json',
    '${HOME}/$USER',
    'a\\b"c',
    '!x #comment',
    '-rf.json',
    '--format=html',
    '',
    'ünïcödé 🔒.json',
  ];

  it('each name reads back as one word, the same name (./ before a leading -), and nothing runs', () => {
    const words = HOSTILE.map((n) => shellArg(n)!);
    assert.deepEqual(
      shWords(words),
      HOSTILE.map((n) => (n.startsWith('-') ? `./${n}` : n)),
    );
    assert.ok(!fs.existsSync(path.join(dir, 'pwned')));
    assert.equal(shellArg('mail.log'), 'mail.log');
    assert.equal(shellArg('my file.log'), "'my file.log'");
  });

  it('any printable text round-trips through sh', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom(...'ab -_.;$`\'"\\*?~&|<>(){}[]!#=%@,:\u00e9'.split('')) }), { minLength: 1, maxLength: 8 }),
        (names) => {
          assert.deepEqual(
            shWords(names.map((n) => shellArg(n)!)),
            names.map((n) => (n.startsWith('-') ? `./${n}` : n)),
          );
        },
      ),
      { numRuns: 40 },
    );
    assert.ok(!fs.existsSync(path.join(dir, 'pwned')));
  });

  it('a name with a character a terminal acts on has no shell form (the caller writes a placeholder)', () => {
    for (const n of ['a\nb', 'tab\there', 'x\u001b[31mred', 'r\rx', 'c1\u009b', 'bidi\u202eevil']) assert.equal(shellArg(n), undefined, JSON.stringify(n));
  });
});
