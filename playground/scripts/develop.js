'use strict';

/**
 * npm run develop: the WeChat API simulator on 127.0.0.1:8900 and the playground Strapi
 * (`strapi develop`, admin at http://localhost:1337/admin) in one command.
 * `npm run start:playground` does the same with `strapi start` on a built admin.
 */
const fs = require('fs');
const path = require('path');
const { randomBytes } = require('crypto');
const { spawn } = require('child_process');
const { linkSelf } = require('../../scripts/link-self');
const { startSimulatorFromEnv } = require('../../dist/simulator/cli');

const root = path.resolve(__dirname, '..', '..');
const playground = path.resolve(__dirname, '..');
const command = process.argv[2] || 'develop';

/**
 * The playground keeps its secrets encrypted like a production app should: a key of its own in
 * playground/.env (not committed), made at the first run. Losing it makes the stored AppSecrets,
 * access tokens and session keys unreadable (the log says so; save the AppSecret again).
 */
function ensureEncryptionKey() {
  if (process.env.WECHAT_AUTH_ENCRYPTION_KEY) return;
  const file = path.join(playground, '.env');
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  if (/^WECHAT_AUTH_ENCRYPTION_KEY=/m.test(current)) return;
  const line = `WECHAT_AUTH_ENCRYPTION_KEY=${randomBytes(32).toString('base64')}\n`;
  fs.writeFileSync(file, current && !current.endsWith('\n') ? `${current}\n${line}` : `${current}${line}`);
  console.log('Made an encryption key for the stored secrets: WECHAT_AUTH_ENCRYPTION_KEY in playground/.env');
}

async function main() {
  linkSelf();
  ensureEncryptionKey();
  // With the demo Official Account and website app (the pages in playground/public/web-login).
  const simulator = await startSimulatorFromEnv(['--web-logins']);
  console.log(`WeChat API simulator: ${simulator.baseUrl}`);
  const strapiBin = path.join(root, 'node_modules', '.bin', 'strapi');
  const args = command === 'develop' ? ['develop', '--ignore-prompts'] : [command];
  const child = spawn(strapiBin, args, {
    cwd: playground,
    stdio: 'inherit',
    env: { WECHAT_API_BASE_URL: simulator.baseUrl, PLAYGROUND_WEB_LOGINS: 'true', STRAPI_TELEMETRY_DISABLED: 'true', ...process.env },
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
