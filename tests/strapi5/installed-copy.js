'use strict';

/**
 * tests/strapi5/app copied into `dir` as an app that ran `npm install strapi-wechat-miniprogram-auth`: the
 * plugin is a dependency (no `resolve` in config/plugins.js: with it, Strapi 5 imports the admin by a relative
 * path, which `strapi develop` does not pre-bundle) and a real copy of this repository's build sits in its
 * node_modules; every other package is a symlink into tests/strapi5/app/node_modules. Run Strapi there with
 * `node --preserve-symlinks --preserve-symlinks-main` (NODE_FLAGS), so that packages resolve from the copy's
 * node_modules and Strapi finds the copy's plugin. The copy's config, database and uploads are kept between
 * calls; node_modules and the plugin are made again.
 * Used by the Strapi 5 admin e2e test and `npm run develop:strapi5`.
 */
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const APP_SOURCE = path.join(__dirname, 'app');
const APP_MODULES = path.join(APP_SOURCE, 'node_modules');
const PLUGIN = require('../../package.json').name;
const NODE_FLAGS = ['--preserve-symlinks', '--preserve-symlinks-main'];

/** `pluginFrom`: where the plugin's files come from (default: this repository's build; the pack test: the unpacked tarball). */
function installedCopy(dir, { pluginFrom = ROOT } = {}) {
  fs.mkdirSync(dir, { recursive: true });
  for (const entry of ['package.json', 'config', 'src']) fs.cpSync(path.join(APP_SOURCE, entry), path.join(dir, entry), { recursive: true });
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  pkg.dependencies[PLUGIN] = require('../../package.json').version;
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  const plugins = path.join(dir, 'config', 'plugins.js');
  fs.writeFileSync(plugins, fs.readFileSync(plugins, 'utf8').replace(/^\s*resolve: .*\n/m, ''));
  fs.mkdirSync(path.join(dir, 'public', 'uploads'), { recursive: true });
  const modules = path.join(dir, 'node_modules');
  fs.rmSync(modules, { recursive: true, force: true });
  fs.mkdirSync(modules);
  // `.strapi` is Vite's cache: the copy gets its own.
  for (const entry of fs.readdirSync(APP_MODULES)) {
    if (entry === PLUGIN || entry === '.strapi') continue;
    fs.symlinkSync(fs.realpathSync(path.join(APP_MODULES, entry)), path.join(modules, entry));
  }
  const plugin = path.join(modules, PLUGIN);
  fs.mkdirSync(plugin);
  for (const entry of ['package.json', 'strapi-server.js', 'dist']) fs.cpSync(path.join(pluginFrom, entry), path.join(plugin, entry), { recursive: true });
  return dir;
}

const strapiBin = (dir) => path.join(dir, 'node_modules', '@strapi', 'strapi', 'bin', 'strapi.js');

module.exports = { installedCopy, strapiBin, NODE_FLAGS, APP_MODULES };
