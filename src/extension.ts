// The extension's entry point (bundled to dist/extension.js); the adapter lives in src/extension/.
import { markLoaded } from './extension/loadClock'; // first: it starts the clock of the bundle's evaluation
export { activate, deactivate } from './extension/activate';
export type { MailTlsDoctorApi, TreeSnapshotNode } from './extension/api';
markLoaded();
