/**
 * The VEX verdict on one vulnerability of one package: among every statement of every document that names it and
 * covers the package, the latest wins (OpenVEX: a later statement supersedes an earlier one about the same product
 * and vulnerability). Ties on the timestamp go to the statement given later (later document, later position).
 * Statements are indexed by vulnerability id and alias, so a finding looks only at the statements about it.
 */
import type { VulnerabilityFinding } from '../matching/vulnerability-finding.js';
import type { VexDocument, VexStatement } from './openvex-document.js';
import type { ScannedImage } from './scanned-image.js';
import { statementCoversPackage } from './vex-statement-scope.js';

export class VexStatementIndex {
  private readonly byId = new Map<string, VexStatement[]>();

  constructor(documents: readonly VexDocument[]) {
    for (const document of documents) {
      for (const statement of document.statements) {
        const ids = new Set([statement.vulnerability.name, ...statement.vulnerability.aliases].map((id) => id.toUpperCase()));
        for (const id of ids) {
          const list = this.byId.get(id);
          if (list) list.push(statement);
          else this.byId.set(id, [statement]);
        }
      }
    }
  }

  /** Statements naming the finding's id or one of its aliases (each once). */
  about(finding: VulnerabilityFinding): VexStatement[] {
    const found = new Set<VexStatement>();
    for (const id of [finding.id, ...finding.aliases]) for (const statement of this.byId.get(id.toUpperCase()) ?? []) found.add(statement);
    return [...found];
  }
}

export function vexVerdict(index: VexStatementIndex, finding: VulnerabilityFinding, image: ScannedImage | undefined): VexStatement | undefined {
  let winner: VexStatement | undefined;
  let winnerTime = -Infinity;
  for (const statement of index.about(finding)) {
    if (!statementCoversPackage(statement, finding, image)) continue;
    const time = Date.parse(statement.timestamp);
    if (!winner || time > winnerTime || (time === winnerTime && statement.order > winner.order)) {
      winner = statement;
      winnerTime = time;
    }
  }
  return winner;
}

/** not_affected and fixed mean the product is not exposed: the vulnerability is suppressed, with the statement. */
export function vexSuppresses(statement: VexStatement): boolean {
  return statement.status === 'not_affected' || statement.status === 'fixed';
}
