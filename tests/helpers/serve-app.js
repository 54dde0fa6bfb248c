'use strict';

/**
 * Boots the Strapi app in argv[2] in this process, listening on 127.0.0.1 (a free port), and
 * prints one JSON line: { url, pluginPath, strapiVersion } — pluginPath being where Strapi found
 * the plugin. Stops on SIGTERM. Used to run an app in a process of its own (e.g. with
 * --preserve-symlinks). Strapi 4 and 5 alike: each from the app's own node_modules.
 */
const path = require('path');
const { createRequire } = require('module');

async function serveApp(appDir) {
  const strapiPackage = require.resolve('@strapi/strapi/package.json', { paths: [appDir] });
  const strapiModule = require(path.dirname(strapiPackage));
  // Strapi 4 exports the factory itself; Strapi 5 names it createStrapi.
  const createStrapi = typeof strapiModule === 'function' ? strapiModule : strapiModule.createStrapi;
  const strapi = createStrapi({ appDir, distDir: appDir, autoReload: false, serveAdminPanel: false });
  await strapi.load();
  await strapi.server.mount();
  await new Promise((resolve) => strapi.server.httpServer.listen(0, '127.0.0.1', resolve));
  // Resolved as Strapi resolves it (from its own package; from here, Node would self-reference this repository).
  const pluginPath = path.dirname(createRequire(strapiPackage).resolve('strapi-wechat-miniprogram-auth/package.json'));
  const { port } = strapi.server.httpServer.address();
  const strapiVersion = require(strapiPackage).version;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}`, pluginPath, strapiVersion })}\n`);
  process.on('SIGTERM', async () => {
    await strapi.destroy();
    process.exit(0);
  });
}

function run(appDir) {
  serveApp(path.resolve(appDir)).catch((error) => {
    process.stderr.write(`${error.stack}\n`);
    process.exit(1);
  });
}

module.exports = { run };
if (require.main === module) run(process.argv[2]);
