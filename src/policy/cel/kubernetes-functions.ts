/**
 * Every function a Kubernetes CEL expression can call (the apiserver's environment at v1.34: standard library,
 * ext strings v2, ext lists v3, ext sets, two-variable comprehensions, optional types, and the Kubernetes libraries
 * regex, lists, url, quantity, ip, cidr, format, semver, authz). Not present in Kubernetes and so not here:
 * cel.bind, math.*, strings.reverse.
 */
import { introducedIn, type FunctionTable } from './function-table.js';
import { AUTHORIZER_LIBRARY } from './library/authorizer.js';
import { EXT_LISTS_LIBRARY, KUBERNETES_LISTS_LIBRARY, SETS_LIBRARY, withListIndexOf } from './library/lists.js';
import { FORMAT_AND_SEMVER_LIBRARY, semverComparisons } from './library/named-format.js';
import { NETWORK_ADDRESS_LIBRARY, networkAddressToString } from './library/network-address.js';
import { QUANTITY_LIBRARY } from './library/quantity.js';
import { OPTIONAL_LIBRARY, REGEX_LIBRARY } from './library/regex-and-optional.js';
import { STANDARD_LIBRARY, toCelString } from './library/standard.js';
import { STRINGS_LIBRARY } from './library/strings.js';
import { URL_LIBRARY } from './library/url.js';
import type { Value } from './values.js';

function pick(table: FunctionTable, names: readonly string[]): FunctionTable {
  return Object.fromEntries(names.map((n) => [n, table[n]!]));
}

/**
 * `since` follows k8s.io/apiserver/pkg/cel/environment/base.go: a v1.N apiserver accepts new expressions with the
 * environment of v1.(N-1) (its compatibility version) and evaluates stored ones with v1.N's.
 */
export const KUBERNETES_FUNCTIONS: FunctionTable = {
  ...STANDARD_LIBRARY,
  ...STRINGS_LIBRARY,
  ...KUBERNETES_LISTS_LIBRARY,
  ...withListIndexOf(STRINGS_LIBRARY),
  ...REGEX_LIBRARY,
  ...URL_LIBRARY,
  ...introducedIn(27, AUTHORIZER_LIBRARY),
  ...introducedIn(28, OPTIONAL_LIBRARY),
  ...introducedIn(28, QUANTITY_LIBRARY),
  ...introducedIn(29, SETS_LIBRARY),
  ...introducedIn(30, NETWORK_ADDRESS_LIBRARY),
  ...introducedIn(31, FORMAT_AND_SEMVER_LIBRARY),
  ...introducedIn(31, pick(AUTHORIZER_LIBRARY, ['fieldSelector', 'labelSelector'])),
  ...introducedIn(33, pick(FORMAT_AND_SEMVER_LIBRARY, ['semver', 'isSemver', 'major', 'minor', 'patch'])),
  ...introducedIn(28, semverComparisons(QUANTITY_LIBRARY)),
  ...introducedIn(34, EXT_LISTS_LIBRARY),
  string: { global: { 1: (v: Value) => networkAddressToString(v) ?? toCelString(v) }, result: 'string' },
};
