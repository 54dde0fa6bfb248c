'use strict';

/**
 * npm run develop: the WeChat API simulator on 127.0.0.1:8900 and the playground Strapi
 * (`strapi develop`, admin at http://localhost:1337/admin) in one command.
 * `npm run start:playground` does the same with `strapi start` on a built admin.
 */
const path = require('path');
const { spawn } = require('child_process');
const { linkSelf } = require('../../scripts/link-self');
const { startSimulatorFromEnv } = require('../../dist/simulator/cli');

const root = path.resolve(__dirname, '..', '..');
const playground = path.resolve(__dirname, '..');
const command = process.argv[2] || 'develop';

async function main() {
  linkSelf();
  const simulator = await startSimulatorFromEnv([]);
  console.log(`WeChat API simulator: ${simulator.baseUrl}`);
  const strapiBin = path.join(root, 'node_modules', '.bin', 'strapi');
  const args = command === 'develop' ? ['develop', '--ignore-prompts'] : [command];
  const child = spawn(strapiBin, args, {
    cwd: playground,
    stdio: 'inherit',
    env: { WECHAT_API_BASE_URL: simulator.baseUrl, STRAPI_TELEMETRY_DISABLED: 'true', ...process.env },
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
