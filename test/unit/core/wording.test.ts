import * as assert from 'node:assert/strict';
import { plural } from '../../../src/core/wording';

describe('plural', () => {
  it('counts in words: one thing, none or several things, never "thing(s)"', () => {
    assert.equal(plural(1, 'error'), '1 error');
    assert.equal(plural(0, 'error'), '0 errors');
    assert.equal(plural(2, 'mail config file'), '2 mail config files');
    assert.equal(plural(3, 'address', 'addresses'), '3 addresses');
  });
});
