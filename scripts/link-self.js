'use strict';

// Makes this repository resolvable as `strapi-wechat-miniprogram-auth` from the playground and the
// test apps (they share the repository's node_modules), exactly as an installed package would be:
// Strapi finds it through the app's package.json dependencies and its exports map.
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const link = path.join(root, 'node_modules', require('../package.json').name);

function linkSelf() {
  try {
    if (fs.realpathSync(link) === root) return;
    fs.rmSync(link, { recursive: true, force: true });
  } catch {
    // no link yet
  }
  fs.symlinkSync(path.relative(path.dirname(link), root) || '.', link, 'dir');
}

module.exports = { linkSelf };
if (require.main === module) linkSelf();
