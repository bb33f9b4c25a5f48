// ESLint with typescript-eslint's recommended rules (the VS Code extension generator's default), run by `npm test`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import * as path from 'node:path';

// One file-name case in src/ and test/: camelCase, as VS Code's own sources and its extension samples name files
// (and most of src/ already did). A test/vscode suite file may start with its run order: `4-probeTree.test.ts`.
const fileNameCase = {
  meta: { type: 'suggestion', schema: [], messages: { name: 'File names are camelCase ({{name}}): see docs/architecture.md, "File names".' } },
  create(context) {
    return {
      Program(node) {
        const file = path.relative(process.cwd(), context.filename).split(path.sep).join('/');
        const stem = path.basename(file).replace(file.startsWith('test/vscode/') ? /^\d+-/ : /^$/, '').split('.')[0];
        if (!/^[a-z][a-zA-Z0-9]*$/.test(stem)) context.report({ node, messageId: 'name', data: { name: path.basename(file) } });
      },
    };
  },
};

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', '.cache/**', 'test/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // This code's job includes finding control characters in untrusted text (CR/LF/NUL injection, terminal
      // escapes): a control character in a regular expression here is deliberate, never a typo.
      'no-control-regex': 'off',
    },
  },
  {
    files: ['**/*.ts'],
    rules: {
      // `_name` marks a parameter kept for a signature.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Loose equality only where the code means it (the nodemailer resolver evaluates `==` as JavaScript does).
      eqeqeq: ['error', 'smart'],
      // CommonJS `require()` is used on purpose: CLI commands load lazily (start-up time), benches and fuzz
      // targets load modules by computed path. Static imports stay `import`.
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['src/**/*.ts', 'test/**/*.ts'],
    plugins: { local: { rules: { 'file-name-case': fileNameCase } } },
    rules: { 'local/file-name-case': 'error' },
  },
  {
    // The layering rule: src/core never imports the editor API.
    files: ['src/core/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'src/core never imports vscode.' }] }] },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', __dirname: 'readonly' } },
  },
  {
    // CommonJS modules loaded by the extension host (scripts/screenshot-driver.cjs).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', require: 'readonly', exports: 'writable', module: 'writable' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
