// ESLint with typescript-eslint's recommended rules (the VS Code extension generator's default), run by `npm test`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
