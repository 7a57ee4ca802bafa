import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isNotFound, isUnreachable, kubeError, statusFailure } from './errors.js';

const ctx = { cluster: 'prod-eu-west', verb: 'apply', object: { kind: 'Deployment', namespace: 'web', name: 'api' } };

test('an error status becomes KUBE_REQUEST_FAILED quoting the Status message; 5xx and 429 are retryable', () => {
  const invalid = kubeError(statusFailure(422, JSON.stringify({ kind: 'Status', reason: 'Invalid', message: 'spec.replicas: Invalid value: -1' })), ctx);
  assert.equal(invalid.code, 'KUBE_REQUEST_FAILED');
  assert.equal(invalid.message, 'cluster prod-eu-west: apply Deployment/web/api: 422 Invalid: spec.replicas: Invalid value: -1');
  assert.equal(invalid.retryable, false);
  assert.equal(invalid.cluster, 'prod-eu-west');
  assert.equal(kubeError(statusFailure(503, 'overloaded'), ctx).retryable, true);
  assert.equal(kubeError(statusFailure(429, '{}'), ctx).retryable, true);
  assert.ok(isNotFound(kubeError(statusFailure(404, '{"reason":"NotFound","message":"x"}'), ctx)));
});

test('network failures and timeouts are KUBE_UNREACHABLE, without userinfo from URLs', () => {
  const refused = Object.assign(new Error('request to https://user:pw@127.0.0.1:1/api failed, reason: connect ECONNREFUSED'), { type: 'system', code: 'ECONNREFUSED' });
  const error = kubeError(refused, { cluster: 'a', verb: 'get', what: 'Namespace/kube-system' });
  assert.equal(error.code, 'KUBE_UNREACHABLE');
  assert.ok(isUnreachable(error));
  assert.equal(error.retryable, true);
  assert.doesNotMatch(error.message, /user:pw/);
  const timeout = Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' });
  assert.match(kubeError(timeout, { cluster: 'a', verb: 'get' }).message, /unreachable: the request timed out/);
  const tls = Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
  assert.equal(kubeError(tls, { cluster: 'a', verb: 'get' }).code, 'KUBE_UNREACHABLE');
});
