import fs from 'fs';
import path from 'path';

export default async function globalSetup(): Promise<void> {
  const root = path.resolve(__dirname, '..');
  if (!fs.existsSync(path.join(root, 'dist', 'strapi-server.js'))) {
    throw new Error('The plugin is not built: run `npm run build` first (npm test does it).');
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain JavaScript script of the repo, no typings
  (require('../scripts/link-self') as { linkSelf(): void }).linkSelf();
}
