'use strict';

/**
 * Puts this repository's build into the Strapi 5 test app as an installed package would be:
 * app/node_modules/strapi-wechat-miniprogram-auth is a real folder whose entries (package.json,
 * dist, strapi-server.js, strapi-admin.js) are symlinks to the repository. It has no node_modules of
 * its own, so with --preserve-symlinks every dependency resolves in the app's node_modules.
 */
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const NAME = require('../../package.json').name;
const ENTRIES = ['package.json', 'dist', 'strapi-server.js', 'strapi-admin.js'];

function linkPlugin(appDir = path.join(__dirname, 'app')) {
  const target = path.join(appDir, 'node_modules', NAME);
  const current = fs.existsSync(target) && fs.lstatSync(target);
  if (current && (current.isSymbolicLink() || !ENTRIES.every((entry) => fs.existsSync(path.join(target, entry))))) {
    fs.rmSync(target, { recursive: true, force: true });
  }
  fs.mkdirSync(target, { recursive: true });
  for (const entry of ENTRIES) {
    const link = path.join(target, entry);
    if (!fs.existsSync(path.join(ROOT, entry))) continue;
    try {
      fs.lstatSync(link);
    } catch {
      fs.symlinkSync(path.join(ROOT, entry), link);
    }
  }
  return target;
}

module.exports = { linkPlugin };
if (require.main === module) console.log(linkPlugin());
