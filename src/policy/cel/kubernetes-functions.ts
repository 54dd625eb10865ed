/**
 * Every function a Kubernetes CEL expression can call (the apiserver's environment at v1.34: standard library,
 * ext strings v2, ext lists v3, ext sets, two-variable comprehensions, optional types, and the Kubernetes libraries
 * regex, lists, url, quantity, ip, cidr, format, semver, authz). Not present in Kubernetes and so not here:
 * cel.bind, math.*, strings.reverse.
 */
import type { FunctionTable } from './function-table.js';
import { AUTHORIZER_LIBRARY } from './library/authorizer.js';
import { LISTS_LIBRARY, withListIndexOf } from './library/lists.js';
import { FORMAT_AND_SEMVER_LIBRARY, semverComparisons } from './library/named-format.js';
import { NETWORK_ADDRESS_LIBRARY, networkAddressToString } from './library/network-address.js';
import { QUANTITY_LIBRARY } from './library/quantity.js';
import { OPTIONAL_LIBRARY, REGEX_LIBRARY } from './library/regex-and-optional.js';
import { STANDARD_LIBRARY, toCelString } from './library/standard.js';
import { STRINGS_LIBRARY } from './library/strings.js';
import { URL_LIBRARY } from './library/url.js';
import type { Value } from './values.js';

export const KUBERNETES_FUNCTIONS: FunctionTable = {
  ...STANDARD_LIBRARY,
  ...STRINGS_LIBRARY,
  ...LISTS_LIBRARY,
  ...withListIndexOf(STRINGS_LIBRARY),
  ...REGEX_LIBRARY,
  ...OPTIONAL_LIBRARY,
  ...URL_LIBRARY,
  ...QUANTITY_LIBRARY,
  ...NETWORK_ADDRESS_LIBRARY,
  ...FORMAT_AND_SEMVER_LIBRARY,
  ...semverComparisons(QUANTITY_LIBRARY),
  ...AUTHORIZER_LIBRARY,
  string: { global: { 1: (v: Value) => networkAddressToString(v) ?? toCelString(v) }, result: 'string' },
};
