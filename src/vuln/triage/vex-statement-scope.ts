/**
 * Which packages a VEX statement speaks about. A statement applies to a vulnerability found in a package of an image
 * when it names the vulnerability (its name or an alias equals the finding's id or one of its aliases: see
 * VexStatementIndex) and one of its products is
 * - the package itself (a purl, see purlNamesPackage), or
 * - the image (a `pkg:oci/NAME@sha256:…` purl, a `sha256:…` digest, a hash equal to the image digest, or the image
 *   reference as scanned) without subcomponents: the statement covers every package of the image, or
 * - the image with subcomponents, one of which is the package.
 * A `pkg:oci` purl without a version names the image by its repository's last segment, any digest.
 */
import { PackageURL } from 'packageurl-js';
import type { VulnerabilityFinding } from '../matching/vulnerability-finding.js';
import type { VexProduct, VexStatement } from './openvex-document.js';
import { parsePurl, purlNamesPackage } from './package-url-match.js';
import { imageDigests, imageShortName, type ScannedImage } from './scanned-image.js';

export function statementCoversPackage(statement: VexStatement, finding: VulnerabilityFinding, image: ScannedImage | undefined): boolean {
  const packagePurl = finding.package.purl ? parsePurl(finding.package.purl) : undefined;
  return statement.products.some((product) => {
    const isImage = image !== undefined && productIsImage(product, image);
    if (product.subcomponents.length === 0) return isImage || productIsPackage(product, packagePurl);
    return isImage && product.subcomponents.some((c) => productIsPackage(c, packagePurl));
  });
}

function productIsPackage(product: VexProduct, packagePurl: PackageURL | undefined): boolean {
  if (!packagePurl) return false;
  return [product.purl, product.id].some((text) => {
    const pattern = text?.startsWith('pkg:') ? parsePurl(text) : undefined;
    return pattern !== undefined && pattern.type !== 'oci' && purlNamesPackage(pattern, packagePurl);
  });
}

function productIsImage(product: VexProduct, image: ScannedImage): boolean {
  const digests = imageDigests(image);
  const hexes = new Set(digests.map((d) => d.slice(d.indexOf(':') + 1)));
  if (product.hashes.some((h) => hexes.has(h.toLowerCase()))) return true;
  return [product.purl, product.id].some((text) => {
    if (text === undefined) return false;
    if (digests.includes(text) || text === image.name) return true;
    const purl = text.startsWith('pkg:oci/') ? parsePurl(text) : undefined;
    if (!purl) return false;
    if (purl.version) return digests.includes(decodeURIComponent(purl.version));
    return purl.name.toLowerCase() === imageShortName(image);
  });
}
