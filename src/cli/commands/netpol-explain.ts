/**
 * `aspis netpol explain --from A --to B --port P[/PROTOCOL]`: allowed or denied, and exactly which policies and rules
 * decided (or that no policy isolates the pod). Exits 0 when allowed, 1 when denied (or only partly allowed), like
 * `aspis rbac can-i`.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { explainConnection, resolveEndpoint } from '../../network/index.js';
import type { Protocol } from '../../network/index.js';
import { renderNetpolExplainText } from '../../outputs/netpol-explain-text.js';
import { EXIT } from '../exit-codes.js';
import type { NetpolEnv } from './netpol.js';
import type { NetpolInputOptions } from './netpol-input.js';
import { addNetpolInputOptions, loadNetpolInput } from './netpol-input.js';
import { explainReport } from './netpol-reports.js';
import { finishNetpol, NetpolUsageError, runNetpol } from './netpol-run.js';

/** `8080`, `8080/udp`, `http`, `http/TCP` → port number or name, and protocol (TCP by default). */
export function parsePortOption(text: string): { port: number | string; protocol: Protocol } {
  const [portText, protocolText, extra] = text.split('/');
  const protocol = (protocolText ?? 'TCP').toUpperCase();
  if (extra !== undefined || !portText || !['TCP', 'UDP', 'SCTP'].includes(protocol)) {
    throw new NetpolUsageError(`--port ${text}: expected PORT or PORT/PROTOCOL, e.g. 8080, 53/UDP or http (protocol TCP, UDP or SCTP)`);
  }
  if (/^[0-9]+$/.test(portText)) {
    const port = Number(portText);
    if (port < 1 || port > 65535) throw new NetpolUsageError(`--port ${text}: a port number is from 1 to 65535`);
    return { port, protocol: protocol as Protocol };
  }
  return { port: portText, protocol: protocol as Protocol };
}

export function registerNetpolExplain(netpol: Command, env: NetpolEnv): void {
  const command = netpol
    .command('explain')
    .description('whether a connection is allowed and exactly which NetworkPolicies and rules decide it, with file:line; exits 0 if allowed, 1 if denied');
  addNetpolInputOptions(command)
    .requiredOption('--from <endpoint>', 'source: a workload (Kind/namespace/name, namespace/name, name), a Service (svc/namespace/name), an IP address, or external')
    .requiredOption('--to <endpoint>', 'destination: a workload, a Service (its port is a Service port: traffic goes to each backend\'s targetPort), an IP address, or external')
    .requiredOption('--port <port>', 'destination port: number or name, optionally /TCP, /UDP or /SCTP (default TCP)')
    .option('-n, --namespace <namespace>', 'namespace of names given without one (default: --default-namespace)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'))
    .action((options: NetpolInputOptions & { from: string; to: string; port: string; namespace?: string; output: 'table' | 'json' }) =>
      runNetpol(env, async () => {
        const { port, protocol } = parsePortOption(options.port);
        const input = await loadNetpolInput(options);
        const namespace = options.namespace ?? input.model.defaultNamespace;
        const from = resolveEndpoint(input.model, options.from, namespace);
        const to = resolveEndpoint(input.model, options.to, namespace);
        const report = explainReport(explainConnection(input.model, from, to, port, protocol), input.locate);
        process.stdout.write(options.output === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderNetpolExplainText(report));
        return finishNetpol(input.errors, report.allowed === 'yes' ? EXIT.ok : EXIT.findings);
      }),
    );
}
