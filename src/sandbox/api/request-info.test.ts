import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequest } from './request-info.js';

const q = (s = '') => new URLSearchParams(s);

test('resource paths are read as the apiserver reads them, namespaces and their subresources included', () => {
  assert.deepEqual(parseRequest('GET', '/api/v1/namespaces/app/configmaps', q()), { type: 'resource', group: '', version: 'v1', resource: 'configmaps', verb: 'list', namespace: 'app' });
  assert.deepEqual(parseRequest('GET', '/apis/apps/v1/namespaces/app/deployments', q('watch=true')), { type: 'resource', group: 'apps', version: 'v1', resource: 'deployments', verb: 'watch', namespace: 'app' });
  assert.deepEqual(parseRequest('PATCH', '/apis/apps/v1/namespaces/app/deployments/web/status', q()), { type: 'resource', group: 'apps', version: 'v1', resource: 'deployments', verb: 'patch', namespace: 'app', name: 'web', subresource: 'status' });
  assert.deepEqual(parseRequest('DELETE', '/api/v1/namespaces/app', q()), { type: 'resource', group: '', version: 'v1', resource: 'namespaces', verb: 'delete', name: 'app' });
  assert.deepEqual(parseRequest('PUT', '/api/v1/namespaces/app/finalize', q()), { type: 'resource', group: '', version: 'v1', resource: 'namespaces', verb: 'update', name: 'app', subresource: 'finalize' });
  assert.deepEqual(parseRequest('DELETE', '/api/v1/namespaces/app/secrets', q()), { type: 'resource', group: '', version: 'v1', resource: 'secrets', verb: 'deletecollection', namespace: 'app' });
  assert.deepEqual(parseRequest('GET', '/apis/apps/v1/deployments', q()), { type: 'resource', group: 'apps', version: 'v1', resource: 'deployments', verb: 'list' });
});

test('discovery and other paths are told apart', () => {
  assert.deepEqual(parseRequest('GET', '/api', q()), { type: 'discovery', level: 'api' });
  assert.deepEqual(parseRequest('GET', '/apis/apps', q()), { type: 'discovery', level: 'group', group: 'apps' });
  assert.deepEqual(parseRequest('GET', '/apis/apps/v1', q()), { type: 'discovery', level: 'resources', group: 'apps', version: 'v1' });
  assert.deepEqual(parseRequest('GET', '/version', q()), { type: 'other', path: '/version' });
  assert.deepEqual(parseRequest('GET', '/api/v1/namespaces/a/b/c/d/e', q()), { type: 'other', path: '/api/v1/namespaces/a/b/c/d/e' });
});
