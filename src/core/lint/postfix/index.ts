/** The Postfix lints: main.cf and master.cf. */
export { postfixMainLinter, lintMainCf } from './main-linter';
export { postfixMasterLinter, lintMasterCf } from './master-linter';
export { parseMainCf } from './main-parser';
export { parseMasterCf } from './master-parser';
export { PARAMS_VERSION } from './params';
