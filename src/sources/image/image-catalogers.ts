/**
 * The catalogers an image scan runs (os-release runs first inside catalogImage). Kept here, beside the code that
 * drives them, until src/image/catalogers offers its own list.
 */
import { apkCataloger } from '../../image/catalogers/apk.js';
import type { Cataloger } from '../../image/catalogers/cataloger.js';
import { dpkgCataloger } from '../../image/catalogers/dpkg.js';
import { goBinaryCataloger } from '../../image/catalogers/go-binary.js';
import { javaArchiveCataloger } from '../../image/catalogers/java-archive.js';
import { npmCataloger } from '../../image/catalogers/npm.js';
import { pythonCataloger } from '../../image/catalogers/python.js';
import { rpmCataloger } from '../../image/catalogers/rpm.js';
import { rustAuditBinaryCataloger } from '../../image/catalogers/rust-audit-binary.js';

export const IMAGE_CATALOGERS: readonly Cataloger[] = [
  dpkgCataloger,
  apkCataloger,
  rpmCataloger,
  pythonCataloger,
  npmCataloger,
  javaArchiveCataloger,
  goBinaryCataloger,
  rustAuditBinaryCataloger,
];
