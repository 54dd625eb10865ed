/**
 * CycloneDX 1.6 JSON SBOM of an image, built with @cyclonedx/cyclonedx-library (its models and its 1.6 JSON
 * normaliser, so the output follows the official schema). The image is metadata.component (type container); each
 * package is a library component with its purl, licences, and Aspis properties (ecosystem, source package,
 * distro release, where it was found) that `aspis scan sbom` reads back for exact distro matching.
 */
import * as CDX from '@cyclonedx/cyclonedx-library';
import { isSpdxExpression } from '../image/sbom/spdx-license.js';
import { packageRefs, SBOM_PROPERTY, type ImageSbom } from '../image/sbom/image-sbom.js';
import type { Package } from '../image/catalogers/cataloger.js';

export function cycloneDxSbom(sbom: ImageSbom): string {
  const bom = new CDX.Models.Bom();
  bom.serialNumber = `urn:uuid:${sbom.documentId}`;
  bom.metadata.timestamp = new Date(sbom.timestamp);
  bom.metadata.tools.components.add(new CDX.Models.Component(CDX.Enums.ComponentType.Application, sbom.tool.name, { version: sbom.tool.version }));
  const image = new CDX.Models.Component(CDX.Enums.ComponentType.Container, sbom.image.name, {
    bomRef: 'image',
    ...(sbom.image.manifestDigest ? { version: sbom.image.manifestDigest } : {}),
    properties: new CDX.Models.PropertyRepository(
      [
        ['aspis:image:configDigest', sbom.image.configDigest],
        ...(sbom.image.manifestDigest ? [['aspis:image:manifestDigest', sbom.image.manifestDigest]] : []),
        ...sbom.image.tags.map((t) => ['aspis:image:tag', t]),
        ...(sbom.image.architecture ? [['aspis:image:architecture', sbom.image.architecture]] : []),
        ...(sbom.image.os ? [['aspis:image:os', sbom.image.os.prettyName ?? `${sbom.image.os.id} ${sbom.image.os.versionId ?? ''}`.trim()]] : []),
      ].map(([name, value]) => new CDX.Models.Property(name!, value!)),
    ),
  });
  bom.metadata.component = image;
  const refs = packageRefs(sbom.packages);
  sbom.packages.forEach((pkg, i) => bom.components.add(component(pkg, refs[i]!)));
  const serializer = new CDX.Serialize.JsonSerializer(new CDX.Serialize.JSON.Normalize.Factory(CDX.Spec.Spec1dot6));
  return `${serializer.serialize(bom, { sortLists: true, space: 2 })}\n`;
}

export function component(pkg: Package, bomRef: string): CDX.Models.Component {
  const properties: [string, string][] = [
    [SBOM_PROPERTY.ecosystem, pkg.ecosystem],
    [SBOM_PROPERTY.foundBy, pkg.foundBy],
    ...(pkg.sourceName ? [[SBOM_PROPERTY.sourceName, pkg.sourceName] as [string, string]] : []),
    ...(pkg.sourceVersion ? [[SBOM_PROPERTY.sourceVersion, pkg.sourceVersion] as [string, string]] : []),
    ...(pkg.distroRelease ? [[SBOM_PROPERTY.distroRelease, pkg.distroRelease] as [string, string]] : []),
    ...pkg.locations.flatMap((l): [string, string][] => [
      [SBOM_PROPERTY.layerDigest, l.layerDigest],
      [SBOM_PROPERTY.path, l.path],
    ]),
    ...Object.entries(pkg.metadata ?? {}).map(([k, v]): [string, string] => [`${SBOM_PROPERTY.metadataPrefix}${k}`, v]),
  ];
  return new CDX.Models.Component(CDX.Enums.ComponentType.Library, pkg.name, {
    bomRef,
    version: pkg.version,
    purl: pkg.purl,
    licenses: licenses(pkg.licenses ?? []),
    properties: new CDX.Models.PropertyRepository(properties.map(([name, value]) => new CDX.Models.Property(name, value))),
  });
}

/** CycloneDX allows either one expression or a list of single licences: one expression when any needs it. */
function licenses(names: readonly string[]): CDX.Models.LicenseRepository {
  const unique = [...new Set(names.map((n) => n.trim()).filter(Boolean))];
  const repository = new CDX.Models.LicenseRepository();
  const compound = unique.filter((n) => /\s(AND|OR|WITH)\s/i.test(n) && isSpdxExpression(n));
  if (compound.length > 0 && unique.every((n) => isSpdxExpression(n))) {
    repository.add(new CDX.Models.LicenseExpression(unique.length === 1 ? unique[0]! : unique.map((n) => `(${n})`).join(' AND ')));
    return repository;
  }
  for (const name of unique) {
    repository.add(CDX.SPDX.isSupportedSpdxId(name) ? new CDX.Models.SpdxLicense(name) : new CDX.Models.NamedLicense(name));
  }
  return repository;
}
