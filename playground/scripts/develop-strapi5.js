'use strict';

/**
 * npm run develop:strapi5: the playground on Strapi 5. The WeChat API simulator on 127.0.0.1:8900 and a
 * Strapi 5.54 app (SQLite, `strapi develop`, admin at http://localhost:1338/admin) with this repository's
 * build installed as a package, in <tmp>/strapi-wechat-miniprogram-auth/playground-strapi5 (its database and
 * uploads are kept between runs).
 * The app is tests/strapi5/app, installed with `npm ci` the first time (scripts/strapi5-app.js, a few minutes). The simulator's demo mini program is configured (read-only in the admin page); add
 * more in the page. Stop both with Ctrl-C.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');
const { randomBytes } = require('crypto');
const { installedCopy, strapiBin, NODE_FLAGS } = require('../../tests/strapi5/installed-copy');
const { ensureStrapi5App } = require('../../scripts/strapi5-app');
const { startSimulatorFromEnv } = require('../../dist/simulator/cli');
const { DEMO_APP } = require('../../dist/simulator/wechat-simulator');

// Outside the repository: Strapi 5 looks for a tsconfig.json up the folder tree and would take the repository's.
const dir = path.join(os.tmpdir(), 'strapi-wechat-miniprogram-auth', 'playground-strapi5');
const port = process.env.PORT || '1338';

/** A key of its own for the stored secrets, kept in the app folder's .env (made at the first run). */
function encryptionKey() {
  if (process.env.WECHAT_AUTH_ENCRYPTION_KEY) return process.env.WECHAT_AUTH_ENCRYPTION_KEY;
  const file = path.join(dir, '.env');
  const found = fs.existsSync(file) && /^WECHAT_AUTH_ENCRYPTION_KEY=(.+)$/m.exec(fs.readFileSync(file, 'utf8'));
  if (found) return found[1];
  const key = randomBytes(32).toString('base64');
  fs.mkdirSync(dir, { recursive: true });
  fs.appendFileSync(file, `WECHAT_AUTH_ENCRYPTION_KEY=${key}\n`);
  return key;
}

async function main() {
  ensureStrapi5App();
  installedCopy(dir);
  const simulator = await startSimulatorFromEnv([]);
  console.log(`WeChat API simulator: ${simulator.baseUrl}`);
  const config = { appId: DEMO_APP.appId, appSecret: DEMO_APP.appSecret, apiBaseUrl: simulator.baseUrl, encryption: { key: encryptionKey() } };
  const child = spawn(process.execPath, [...NODE_FLAGS, strapiBin(dir), 'develop'], {
    cwd: dir,
    stdio: 'inherit',
    env: {
      STRAPI_TELEMETRY_DISABLED: 'true',
      HOST: '127.0.0.1',
      PORT: port,
      DATABASE_FILENAME: path.join(dir, '.tmp', 'data.db'),
      WECHAT_AUTH_CONFIG: JSON.stringify(config),
      ...process.env,
    },
  });
  const stop = (signal) => child.kill(signal);
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  child.on('exit', async (code) => {
    await simulator.stop();
    process.exit(code ?? 0);
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
