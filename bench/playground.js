'use strict';

/**
 * The Strapi app that is measured: the repository's playground, compiled, with the plugin from the
 * working tree (scripts/link-self.js).
 */
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { PLAYGROUND, STRAPI_BIN } = require('./options');

/**
 * The plugin is built by `npm run build` (npm run bench runs it first). The playground's server
 * code is compiled here as `strapi build` compiles it; its admin panel, which plays no part in
 * what is measured, is built only when missing (`npm run build:playground` rebuilds everything).
 */
async function preparePlayground() {
  require('../scripts/link-self').linkSelf();
  await require('@strapi/typescript-utils').compile(PLAYGROUND);
  if (!fs.existsSync(path.join(PLAYGROUND, 'dist', 'build', 'index.html'))) {
    console.log('Building the playground admin panel (once)...');
    execFileSync(process.execPath, [STRAPI_BIN, 'build'], { cwd: PLAYGROUND, stdio: 'inherit', env: { ...process.env, STRAPI_TELEMETRY_DISABLED: 'true' } });
  }
}

module.exports = { preparePlayground };
