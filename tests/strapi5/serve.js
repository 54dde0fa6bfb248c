'use strict';

/**
 * Boots the Strapi 5 test app (tests/strapi5/app) in this process, listening on 127.0.0.1 (a free
 * port), and prints one JSON line: { url, pluginPath, strapiVersion }. Stops on SIGTERM.
 *
 * Run with `node --preserve-symlinks`: the plugin is linked into the app (link-plugin.js) as a folder
 * of symlinks to this repository's build, so that its `require('@strapi/utils')` and the rest resolve
 * in the app's node_modules (Strapi 5's copies), as they would in an app that installed the package.
 * Config comes from the environment: config/plugins.js reads WECHAT_AUTH_CONFIG (JSON).
 */
const fs = require('fs');
const path = require('path');
const { linkPlugin } = require('./link-plugin');

const appDir = path.join(__dirname, 'app');

async function main() {
  const pluginPath = linkPlugin();
  // The local upload provider refuses to start without its folder (an app made by create-strapi-app has it).
  fs.mkdirSync(path.join(appDir, 'public', 'uploads'), { recursive: true });
  const strapiPackage = require.resolve('@strapi/strapi/package.json', { paths: [appDir] });
  // Strapi 5 from the app's node_modules.
  const { createStrapi } = require(path.dirname(strapiPackage));
  const strapi = createStrapi({ appDir, distDir: appDir, autoReload: false, serveAdminPanel: false });
  await strapi.load();
  await new Promise((resolve) => strapi.server.listen(0, '127.0.0.1', resolve));
  const { port } = strapi.server.httpServer.address();
  const strapiVersion = require(strapiPackage).version;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}`, pluginPath, strapiVersion })}\n`);
  process.on('SIGTERM', async () => {
    await strapi.destroy();
    process.exit(0);
  });
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
