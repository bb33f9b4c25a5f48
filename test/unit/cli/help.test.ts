/**
 * The help text states the defaults the engine really uses; it is written out by hand (the dispatcher does not
 * load the probe engine to print it), so this keeps the two from drifting apart.
 */
import * as assert from 'node:assert/strict';
import { DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MS } from '../../../src/core/probe';
import { helpFor } from '../../../src/cli/help';

describe('cli/help', () => {
  it('probe help names the engine’s default concurrency and timeout', () => {
    const text = helpFor('probe') ?? '';
    assert.match(text, new RegExp(`--concurrency N\\s+endpoints probed at once \\(default ${DEFAULT_CONCURRENCY}\\)`));
    assert.match(text, new RegExp(`default ${DEFAULT_TIMEOUT_MS}\\b`));
  });
});
