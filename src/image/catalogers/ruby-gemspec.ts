import { PackageURL } from 'packageurl-js';
import { isRegularFile, readAll, type Cataloger, type CatalogProblem, type Package } from './cataloger.js';
import { compareText } from '../../core/model/text-order.js';

/** Installed gems' specifications (GEM_HOME/specifications/*.gemspec and …/specifications/default/ for gems bundled with Ruby). */
const GEMSPEC = /\/specifications\/(?:default\/)?[^/]+\.gemspec$/;

/** The string literals of a Ruby expression like ["MIT".freeze, "Ruby".freeze]. */
function stringLiterals(expression: string): string[] {
  return [...expression.matchAll(/"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'/g)].map((m) => m[1] ?? m[2]!);
}

/**
 * The name, version and licences of an installed gemspec as RubyGems writes it (Gem::Specification#to_ruby:
 * `s.name = "rack".freeze`, `s.version = "2.2.22"`, `s.licenses = ["MIT".freeze]`), without running Ruby.
 * The "# stub: name version platform" line RubyGems writes first is the fallback for name and version.
 */
export function parseGemspec(text: string): { name?: string; version?: string; licenses: string[] } {
  const assignment = (field: string): string | undefined => new RegExp(`^\\s*\\w+\\.${field}\\s*=\\s*(.+)$`, 'm').exec(text)?.[1];
  const stub = /^# stub: (\S+) (\S+)/m.exec(text);
  const nameExpr = assignment('name');
  const versionExpr = assignment('version');
  const name = (nameExpr && stringLiterals(nameExpr)[0]) || stub?.[1];
  const version = (versionExpr && stringLiterals(versionExpr)[0]) || stub?.[2];
  const licensesExpr = assignment('licenses') ?? assignment('license');
  return { ...(name ? { name } : {}), ...(version ? { version } : {}), licenses: licensesExpr ? stringLiterals(licensesExpr) : [] };
}

/** Ruby gems installed with RubyGems, Bundler or a distribution's ruby-* packages. */
export const rubyGemspecCataloger: Cataloger = {
  id: 'ruby-gemspec',
  yieldsToOsPackages: true,
  wants: (file) => GEMSPEC.test(file.path) && isRegularFile(file),
  async catalog(inputs) {
    const packages: Package[] = [];
    const problems: CatalogProblem[] = [];
    for (const input of [...inputs].sort((a, b) => compareText(a.file.path, b.file.path))) {
      const { path, layerDigest } = input.file;
      try {
        const spec = parseGemspec(new TextDecoder().decode(await readAll(input.content, 16 * 1024 * 1024)));
        if (!spec.name || !spec.version) {
          problems.push({ catalogerId: 'ruby-gemspec', layerDigest, path, message: `no ${spec.name ? 'version' : 'name'} assignment or stub line` });
          continue;
        }
        packages.push({
          ecosystem: 'RubyGems',
          name: spec.name,
          version: spec.version,
          purl: new PackageURL('gem', undefined, spec.name, spec.version, undefined, undefined).toString(),
          ...(spec.licenses.length > 0 ? { licenses: spec.licenses } : {}),
          locations: [{ layerDigest, path }],
          foundBy: 'ruby-gemspec',
          ...(path.includes('/specifications/default/') ? { metadata: { defaultGem: 'true' } } : {}),
        });
      } catch (error) {
        problems.push({ catalogerId: 'ruby-gemspec', layerDigest, path, message: (error as Error).message });
      }
    }
    return { packages, problems };
  },
};
