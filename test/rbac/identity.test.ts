import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { impersonatedIdentity, parseServiceAccountUser } from '../../src/rbac/identity.js';

describe('identities as the API server builds them', () => {
  it('service account user names: exactly two parts, valid namespace and name (SplitUsername)', () => {
    assert.deepEqual(parseServiceAccountUser('system:serviceaccount:ns:sa'), { namespace: 'ns', name: 'sa' });
    assert.equal(parseServiceAccountUser('system:serviceaccount:ns:sa:x'), undefined);
    assert.equal(parseServiceAccountUser('system:serviceaccount:Bad_NS:sa'), undefined);
    assert.equal(parseServiceAccountUser('system:serviceaccounts:ns'), undefined);
  });

  it('impersonation: service accounts get their groups unless groups are given; system:authenticated is added', () => {
    assert.deepEqual(impersonatedIdentity('system:serviceaccount:ns:sa', []).groups, ['system:serviceaccounts', 'system:serviceaccounts:ns', 'system:authenticated']);
    assert.deepEqual(impersonatedIdentity('system:serviceaccount:ns:sa', ['g']).groups, ['g', 'system:authenticated']);
    assert.deepEqual(impersonatedIdentity('alice', []).groups, ['system:authenticated']);
    assert.deepEqual(impersonatedIdentity('alice', ['system:unauthenticated']).groups, ['system:unauthenticated']);
    assert.deepEqual(impersonatedIdentity('system:anonymous', []).groups, ['system:unauthenticated']);
  });
});
