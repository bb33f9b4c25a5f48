// The extension's entry point (bundled to dist/extension.js); the adapter lives in src/extension/.
export { activate, deactivate } from './extension/activate';
export type { MailTlsDoctorApi, TreeSnapshotNode } from './extension/api';
