/** The Postfix lints: main.cf, master.cf and TLS policy tables. */
export { postfixMainLinter, lintMainCf } from './main-linter';
export { postfixMasterLinter, lintMasterCf } from './master-linter';
export { postfixPolicyMapLinter, lintPolicyMap } from './policy-map-linter';
export { parseMainCf } from './main-parser';
export { parseMasterCf } from './master-parser';
export { PARAMS_VERSION } from './params';
