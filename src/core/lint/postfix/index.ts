/** The Postfix lints: main.cf, master.cf and TLS policy tables. */
export { postfixMainLinter, lintMainCf } from './mainLinter';
export { postfixMasterLinter, lintMasterCf } from './masterLinter';
export { postfixPolicyMapLinter, lintPolicyMap } from './policyMapLinter';
export { parseMainCf } from './mainParser';
export { parseMasterCf } from './masterParser';
export { PARAMS_VERSION } from './params';
