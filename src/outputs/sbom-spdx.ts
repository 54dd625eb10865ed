/**
 * SPDX 2.3 JSON SBOM of an image: the image as a CONTAINER package the document DESCRIBES, which CONTAINS every
 * package (purl as a PACKAGE-MANAGER external reference). Licences that are not SPDX expressions become
 * LicenseRef-… with their text in hasExtractedLicensingInfos. Aspis facts (source package, distro release, where
 * found) go in each package's annotations-free fields: sourceInfo and comment, so the document stays plain SPDX.
 */
import type { Package } from '../image/catalogers/cataloger.js';
import { packageRefs, SBOM_PROPERTY, type ImageSbom } from '../image/sbom/image-sbom.js';
import { spdxLicenseExpression } from '../image/sbom/spdx-license.js';

export function spdxSbom(sbom: ImageSbom): string {
  const extracted = new Map<string, string>();
  const refs = packageRefs(sbom.packages);
  const ids = new Set<string>();
  const spdxId = (ref: string): string => {
    let id = `SPDXRef-Package-${ref.replace(/[^A-Za-z0-9.-]+/g, '-')}`;
    while (ids.has(id)) id += '-x';
    ids.add(id);
    return id;
  };
  const packages = sbom.packages.map((pkg, i) => spdxPackage(pkg, spdxId(refs[i]!), extracted));
  const document = {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: sbom.image.name,
    documentNamespace: `https://aspis.invalid/spdx/image/${sbom.documentId}`,
    creationInfo: {
      created: sbom.timestamp.replace(/\.\d+Z$/, 'Z'),
      creators: [`Tool: ${sbom.tool.name}-${sbom.tool.version}`],
    },
    packages: [
      {
        SPDXID: 'SPDXRef-Image',
        name: sbom.image.name,
        ...(sbom.image.manifestDigest ? { versionInfo: sbom.image.manifestDigest } : {}),
        downloadLocation: 'NOASSERTION',
        filesAnalyzed: false,
        primaryPackagePurpose: 'CONTAINER',
        licenseConcluded: 'NOASSERTION',
        licenseDeclared: 'NOASSERTION',
        copyrightText: 'NOASSERTION',
        comment: [`config ${sbom.image.configDigest}`, ...sbom.image.tags.map((t) => `tag ${t}`), ...(sbom.image.os?.prettyName ? [`os ${sbom.image.os.prettyName}`] : [])].join('; '),
      },
      ...packages.map((p) => p.spdx),
    ],
    relationships: [
      { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: 'SPDXRef-Image' },
      ...packages.map((p) => ({ spdxElementId: 'SPDXRef-Image', relationshipType: 'CONTAINS', relatedSpdxElement: p.spdx.SPDXID })),
    ],
    ...(extracted.size > 0
      ? { hasExtractedLicensingInfos: [...extracted].map(([licenseId, text]) => ({ licenseId, extractedText: text, name: text })) }
      : {}),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function spdxPackage(pkg: Package, id: string, extracted: Map<string, string>): { spdx: { SPDXID: string } & Record<string, unknown> } {
  const license = spdxLicenseExpression(pkg.licenses ?? []);
  for (const [ref, text] of license?.refs ?? []) extracted.set(ref, text);
  const facts = [
    `${SBOM_PROPERTY.ecosystem}=${pkg.ecosystem}`,
    ...(pkg.sourceName ? [`${SBOM_PROPERTY.sourceName}=${pkg.sourceName}`] : []),
    ...(pkg.sourceVersion ? [`${SBOM_PROPERTY.sourceVersion}=${pkg.sourceVersion}`] : []),
    ...(pkg.distroRelease ? [`${SBOM_PROPERTY.distroRelease}=${pkg.distroRelease}`] : []),
  ];
  return {
    spdx: {
      SPDXID: id,
      name: pkg.name,
      versionInfo: pkg.version,
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      licenseConcluded: 'NOASSERTION',
      licenseDeclared: license?.expression ?? 'NOASSERTION',
      copyrightText: 'NOASSERTION',
      externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: pkg.purl }],
      sourceInfo: `found by aspis cataloger ${pkg.foundBy} at ${pkg.locations.map((l) => `${l.path} (layer ${l.layerDigest})`).join(', ')}`,
      comment: facts.join('; '),
    },
  };
}
