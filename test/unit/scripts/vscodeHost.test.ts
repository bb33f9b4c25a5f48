// The offline VS Code runner's guard rails (scripts/vscode-host.mjs): only loopback leaves the browser, and
// every wait has a deadline. The runner itself is exercised end to end by `npm run test:vscode`.
import * as assert from 'node:assert/strict';

describe('offline VS Code runner', () => {
  let host: { isLoopbackUrl(u: string): boolean; withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> };

  before(async () => {
    host = await import('../../../scripts/vscode-host.mjs' as string);
  });

  it('lets only loopback, data: and blob: URLs through', () => {
    for (const u of [
      'http://127.0.0.1:8080/x',
      'http://127.9.9.9/',
      'ws://localhost:1/',
      'http://[::1]:3000/',
      'data:text/plain,hi',
      'blob:http://127.0.0.1/abc',
    ]) {
      assert.ok(host.isLoopbackUrl(u), u);
    }
    for (const u of [
      'https://update.code.visualstudio.com/api',
      'http://128.0.0.1/',
      'https://127.0.0.1.evil.test/',
      'http://localhost.evil.test/',
      'not a url',
      'http://0.0.0.0:80/',
    ]) {
      assert.ok(!host.isLoopbackUrl(u), u);
    }
  });

  it('gives up on a promise that never settles, naming what timed out', async () => {
    await assert.rejects(host.withTimeout(new Promise(() => {}), 30, 'the test run'), /the test run timed out/);
    assert.equal(await host.withTimeout(Promise.resolve(7), 1000, 'x'), 7);
  });
});
