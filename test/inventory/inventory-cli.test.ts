/** End to end: the real `aspis inventory manifests` on files, stdin and broken input. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Inventory } from '../../src/inventory/inventory.js';
import { runCli } from '../cli/run-cli.js';
import { temporaryDirectory } from '../harness/temporary-directory.js';

const SHOP = 'test/inventory/fixtures/shop';

function tempDir(): string {
  return temporaryDirectory('aspis-inventory-cli-');
}

describe('aspis inventory manifests', () => {
  it('writes the JSON inventory of a directory (json when stdout is not a terminal), exit 0', () => {
    const result = runCli(['inventory', 'manifests', SHOP]);
    assert.equal(result.code, 0, result.stderr);
    const inventory = JSON.parse(result.stdout) as Inventory;
    assert.equal(inventory.schemaVersion, 'aspis.dev/inventory/v1');
    assert.deepEqual(inventory.inputs, [SHOP]);
    assert.equal(inventory.summary.workloads, 5);
    const lb = inventory.exposedServices.find((s) => s.type === 'LoadBalancer')!;
    assert.equal(lb.file, `${SHOP}/shop.yaml`);
    assert.equal(lb.line, 71);
  });

  it('-o table and --output-file', () => {
    const table = runCli(['inventory', 'manifests', SHOP, '-o', 'table']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^Namespaces \(4\)/);
    const file = join(tempDir(), 'inventory.json');
    const written = runCli(['inventory', 'manifests', SHOP, '-o', 'json', '--output-file', file]);
    assert.equal(written.code, 0, written.stderr);
    assert.equal(written.stdout, '');
    assert.equal((JSON.parse(readFileSync(file, 'utf8')) as Inventory).summary.images, 5);
  });

  it('reads stdin with -, as after helm template', () => {
    const result = runCli(['inventory', 'manifests', '-', '-o', 'json'], { input: readFileSync(join(SHOP, 'web.yaml'), 'utf8') });
    assert.equal(result.code, 0, result.stderr);
    const inventory = JSON.parse(result.stdout) as Inventory;
    assert.deepEqual(inventory.exposedServices.map((s) => [s.resource.name, s.file, s.line]), [['static-site', '-', 28]]);
  });

  it('--pss-version says what `latest` stands for', () => {
    const result = runCli(['inventory', 'manifests', SHOP, '-o', 'json', '--pss-version', 'v1.33']);
    assert.equal(result.code, 0, result.stderr);
    const inventory = JSON.parse(result.stdout) as Inventory;
    assert.equal(inventory.pssVersion, 'v1.33');
    const web = inventory.namespaces.find((ns) => ns.name === 'web')!;
    assert.equal(web.podSecurity.enforce!.version, 'v1.33');
    assert.equal(runCli(['inventory', 'manifests', SHOP, '--pss-version', 'newest']).code, 2);
  });

  it('bad input: errors with file:line and field, the rest still inventoried, exit 2', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a-good.yaml'), readFileSync(join(SHOP, 'web.yaml'), 'utf8'));
    writeFileSync(
      join(dir, 'b-bad.yaml'),
      [
        'apiVersion: v1',
        'kind: Service',
        'metadata: {name: api, namespace: web}',
        'spec:',
        '  type: LoadBalancer',
        '  selector:',
        '    app: [api]',
        '  ports:',
        '    - port: 99999',
        '    - port: 443',
        '---',
        'kind: Pod',
        'metadata: {name: broken',
        '---',
        'apiVersion: v1',
        'kind: Pod',
        'metadata: {name: tokenless, namespace: web}',
        'spec:',
        '  automountServiceAccountToken: "no"',
        '  containers:',
        '    - name: app',
        '      image: registry.example.com/app:1.0',
        '',
      ].join('\n'),
    );
    const result = runCli(['inventory', 'manifests', dir, '-o', 'json']);
    assert.equal(result.code, 2);
    const inventory = JSON.parse(result.stdout) as Inventory;
    assert.deepEqual(
      inventory.errors.map((e) => [e.source.replace(dir, 'DIR'), e.line, e.field]),
      [
        ['DIR/b-bad.yaml', 7, 'spec.selector.app'],
        ['DIR/b-bad.yaml', 9, 'spec.ports[0].port'],
        ['DIR/b-bad.yaml', 13, undefined],
        ['DIR/b-bad.yaml', 19, 'spec.automountServiceAccountToken'],
      ],
    );
    // Everything else is still there: the good file, the Service's valid port, the Pod.
    assert.deepEqual(inventory.exposedServices.map((s) => [s.resource.name, s.ports.map((p) => p.port)]), [['api', [443]], ['static-site', [80]]]);
    assert.ok(inventory.workloads.some((w) => w.resource.name === 'tokenless'));
    assert.match(result.stderr, /b-bad\.yaml:7:\d+: spec\.selector\.app: Service\/web\/api: value must be a string/);
  });

  it('a path that does not exist is an error (exit 2)', () => {
    const result = runCli(['inventory', 'manifests', 'no/such/dir', '-o', 'json']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /no\/such\/dir: cannot read no\/such\/dir: no such file or directory/);
  });
});

describe('aspis inventory cluster without a usable cluster', () => {
  it('a missing kubeconfig or an unreachable server is one clear error, exit 2, and an empty inventory', () => {
    const missing = runCli(['inventory', 'cluster', '--kubeconfig', '/nonexistent/kubeconfig', '-o', 'json']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /kubeconfig: .*\/nonexistent\/kubeconfig/);
    const kubeconfig = join(tempDir(), 'kubeconfig');
    writeFileSync(
      kubeconfig,
      'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\n' +
        'users: [{name: u, user: {token: t}}]\ncontexts: [{name: gone, context: {cluster: c, user: u}}]\ncurrent-context: gone\n',
    );
    const unreachable = runCli(['inventory', 'cluster', '--kubeconfig', kubeconfig, '-o', 'json']);
    assert.equal(unreachable.code, 2);
    const inventory = JSON.parse(unreachable.stdout) as Inventory;
    assert.equal(inventory.errors.length, 1);
    assert.match(inventory.errors[0]!.message, /cannot reach the API server of context gone/);
    assert.equal(inventory.summary.workloads, 0);
  });

  it('conflicting or empty scope flags are usage errors', () => {
    assert.equal(runCli(['inventory', 'cluster', '-n', 'a', '-A']).code, 2);
    assert.equal(runCli(['inventory', 'cluster', '-l', ' ']).code, 2);
  });
});
