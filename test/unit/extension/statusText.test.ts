import * as assert from 'node:assert/strict';
import { statusText } from '../../../src/extension/statusText';

describe('the status bar item (statusText)', () => {
  const base = { probing: false, endpoints: 3, results: 0, fail: 0, warn: 0 };

  it('before any probe: the endpoints found, singular and plural', () => {
    assert.equal(statusText(base).text, '$(mail) Mail TLS: 3 endpoints');
    assert.equal(statusText({ ...base, endpoints: 1 }).text, '$(mail) Mail TLS: 1 endpoint');
  });

  it('after probes: failing first, then "with warnings" (not "2 warning"), then OK', () => {
    assert.equal(statusText({ ...base, results: 4, fail: 2, warn: 1 }).text, '$(error) Mail TLS: 2 failing');
    assert.equal(statusText({ ...base, results: 4, warn: 2 }).text, '$(warning) Mail TLS: 2 with warnings');
    assert.equal(statusText({ ...base, results: 4, warn: 1 }).text, '$(warning) Mail TLS: 1 with warnings');
    assert.equal(statusText({ ...base, results: 4 }).text, '$(pass) Mail TLS: 4 OK');
    assert.equal(statusText({ ...base, results: 4, probing: true }).text, '$(loading~spin) Mail TLS: probing');
  });

  it('the tooltip counts in words, without "(s)"', () => {
    assert.equal(
      statusText({ ...base, endpoints: 1, results: 1, fail: 1 }).tooltip,
      'Mail TLS Doctor: 1 endpoint found, 1 probe result (1 failing, 0 with warnings). Click to open the view.',
    );
    assert.doesNotMatch(statusText({ ...base, results: 2 }).tooltip, /\(s\)/);
  });
});
