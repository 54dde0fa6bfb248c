'use strict';

/**
 * 构建 npm without WeChat DevTools: miniprogram-ci's packNpm (WeChat's own build tooling; it runs offline) packs
 * the mini program's npm dependencies into miniprogram_npm/, exactly as DevTools' 工具 → 构建 npm does.
 *   npm install && npm run build:npm
 */
const path = require('path');
const ci = require('miniprogram-ci');

const projectPath = path.resolve(__dirname, '..');
const { appid } = require('../project.config.json');

async function main() {
  // packNpm reads the project and its package.json only; the upload key is not used.
  const project = new ci.Project({ appid, type: 'miniProgram', projectPath, privateKey: 'not-needed-for-packNpm', ignores: ['node_modules/**/*'] });
  const warnings = await ci.packNpm(project, {
    reporter: (info) => console.log(`构建 npm: ${info.miniprogram_pack_num} package(s) packed in ${info.pack_time} ms`),
  });
  for (const warning of warnings) console.warn(`${warning.msg} (${warning.jsPath}:${warning.startLine})`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
