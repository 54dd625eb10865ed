import { apkCataloger } from './apk.js';
import type { Cataloger } from './cataloger.js';
import { dpkgCataloger } from './dpkg.js';
import { goBinaryCataloger } from './go-binary.js';
import { javaArchiveCataloger } from './java-archive.js';
import { npmCataloger } from './npm.js';
import { osReleaseCataloger } from './os-release.js';
import { phpComposerCataloger } from './php-composer.js';
import { pythonCataloger } from './python.js';
import { rpmCataloger } from './rpm.js';
import { rubyGemspecCataloger } from './ruby-gemspec.js';
import { rustAuditBinaryCataloger } from './rust-audit-binary.js';

/** Every cataloger an image scan runs, operating-system packages first. */
export const DEFAULT_CATALOGERS: readonly Cataloger[] = [
  osReleaseCataloger,
  dpkgCataloger,
  apkCataloger,
  rpmCataloger,
  pythonCataloger,
  npmCataloger,
  javaArchiveCataloger,
  rubyGemspecCataloger,
  phpComposerCataloger,
  goBinaryCataloger,
  rustAuditBinaryCataloger,
];
