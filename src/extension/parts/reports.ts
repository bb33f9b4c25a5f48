// Bundled on its own as dist/ext-reports.js (scripts/build.mjs) and loaded on the first report, explanation or
// Mail TLS Report (src/extension/engineParts.ts): the Markdown report and the TLS report's model and HTML.
// Only src/core here, never an extension module: see engineParts.ts.
export { renderMarkdownReport } from '../../core/report/markdown';
export { renderTlsReportHtml } from '../../core/report/html';
export { buildTlsViewModel } from '../../core/report/tlsView';
export { viewInputFromBytes } from '../../core/report/tlsViewInputs';
