'use strict';

/**
 * Boots the Strapi 5 test app (tests/strapi5/app) as tests/helpers/serve-app.js boots an app: in
 * this process, on 127.0.0.1, printing one JSON line { url, pluginPath, strapiVersion }.
 *
 * Run with `node --preserve-symlinks`: the plugin is linked into the app (link-plugin.js) as a folder
 * of symlinks to this repository's build, so that its `require('@strapi/utils')` and the rest resolve
 * in the app's node_modules (Strapi 5's copies), as they would in an app that installed the package.
 * Config comes from the environment: config/plugins.js reads WECHAT_AUTH_CONFIG (JSON).
 */
const fs = require('fs');
const path = require('path');
const { linkPlugin } = require('./link-plugin');
const { run } = require('../helpers/serve-app');

const appDir = path.join(__dirname, 'app');
linkPlugin(appDir);
// The local upload provider refuses to start without its folder (an app made by create-strapi-app has it).
fs.mkdirSync(path.join(appDir, 'public', 'uploads'), { recursive: true });
run(appDir);
