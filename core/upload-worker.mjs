// Starts the upload reader's worker thread (see core/upload.ts): registers tsx, so that the
// TypeScript loads whether the server runs under `node --import tsx` or under vitest.
import { register } from 'tsx/esm/api';

register();
await import('./upload-worker.ts');
