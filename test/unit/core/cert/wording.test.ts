import * as assert from 'node:assert/strict';
import { formatDuration } from '../../../../src/core/cert/wording';

describe('formatDuration', () => {
  it('rounds to the minute before splitting into hours', () => {
    assert.equal(formatDuration(2 * 3600_000 - 20_000), '2 h 0 min');
    assert.equal(formatDuration(-(2 * 3600_000 + 13 * 60_000)), '2 h 13 min');
    assert.equal(formatDuration(59 * 60_000 + 45_000), '1 h 0 min');
    assert.equal(formatDuration(10_000), 'under a minute');
  });
});
