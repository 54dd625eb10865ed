/**
 * The VEX verdict on one vulnerability of one package: among every statement of every document that names it and
 * covers the package, the latest wins (OpenVEX: a later statement supersedes an earlier one about the same product
 * and vulnerability). Ties on the timestamp go to the statement given later (later document, later position).
 */
import type { VulnerabilityFinding } from '../matching/vulnerability-finding.js';
import type { VexDocument, VexStatement } from './openvex-document.js';
import type { ScannedImage } from './scanned-image.js';
import { statementCoversPackage, statementNamesVulnerability } from './vex-statement-scope.js';

export function vexVerdict(documents: readonly VexDocument[], finding: VulnerabilityFinding, image: ScannedImage | undefined): VexStatement | undefined {
  let winner: VexStatement | undefined;
  let winnerTime = -Infinity;
  for (const document of documents) {
    for (const statement of document.statements) {
      if (!statementNamesVulnerability(statement, finding) || !statementCoversPackage(statement, finding, image)) continue;
      const time = Date.parse(statement.timestamp);
      if (!winner || time > winnerTime || (time === winnerTime && statement.order > winner.order)) {
        winner = statement;
        winnerTime = time;
      }
    }
  }
  return winner;
}

/** not_affected and fixed mean the product is not exposed: the vulnerability is suppressed, with the statement. */
export function vexSuppresses(statement: VexStatement): boolean {
  return statement.status === 'not_affected' || statement.status === 'fixed';
}
