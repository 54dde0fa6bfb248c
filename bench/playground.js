'use strict';

/**
 * The Strapi app that is measured: the repository's playground, compiled, with the plugin from the
 * working tree (scripts/link-self.js); and for another build of the plugin (a release, see
 * bench/release.js), a copy of a compiled playground (that build's own commit's, or the
 * repository's) in .tmp/bench/ whose plugins config points Strapi at that build with `resolve`
 * (Strapi finds installed plugins from its own location, i.e. the repository's node_modules, so
 * only a declared `resolve` can pick another copy).
 * playground/ itself is never changed beyond what `npm run build:playground` does.
 */
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { PLAYGROUND, PLUGIN_NAME, ROOT, STRAPI_BIN, WORK } = require('./options');

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

/**
 * A copy of a compiled playground in .tmp/bench/playground-<name>/ that loads the plugin from
 * `build.dir`. With `ownPlayground`, the playground of the build's own commit, compiled here (it
 * sets the app up the way that version of the plugin expects); without, the repository's
 * playground (run preparePlayground first), so that only the plugin differs from the current
 * build's, for as long as that playground suits the older plugin. Its config/plugins.js is the playground's
 * own, wrapped to add `resolve`. The admin build is a link to the repository playground's (the
 * admin panel is never requested by the bench).
 */
async function playgroundFor(build, { name, ownPlayground = false }) {
  const source = ownPlayground ? path.join(build.dir, 'playground') : PLAYGROUND;
  if (ownPlayground) await require('@strapi/typescript-utils').compile(source);
  const appDir = path.join(WORK, `playground-${name}`);
  fs.rmSync(appDir, { recursive: true, force: true });
  fs.mkdirSync(appDir, { recursive: true });
  // The sources too: `strapi start` reads tsconfig.json and stops when it matches no file.
  const skipped = ['dist', '.tmp', '.cache', '.strapi', 'build', 'node_modules'].map((name) => path.join(source, name));
  fs.cpSync(source, appDir, { recursive: true, filter: (file) => !skipped.includes(file) });
  const dist = path.join(source, 'dist');
  fs.cpSync(dist, path.join(appDir, 'dist'), { recursive: true, filter: (file) => file !== path.join(dist, 'build') });
  const adminBuild = path.join(PLAYGROUND, 'dist', 'build');
  if (fs.existsSync(adminBuild)) fs.symlinkSync(adminBuild, path.join(appDir, 'dist', 'build'), 'dir');

  const config = path.join(appDir, 'dist', 'config');
  fs.renameSync(path.join(config, 'plugins.js'), path.join(appDir, 'dist', 'playground-plugins-config.js'));
  fs.writeFileSync(
    path.join(config, 'plugins.js'),
    `'use strict';
// Written by bench/playground.js: the playground's plugins config, with ${PLUGIN_NAME}
// loaded from ${build.ref} (${build.commit}), playground from ${ownPlayground ? build.ref : 'the working tree'}.
const own = require('../playground-plugins-config.js');
const plugin = ${JSON.stringify(PLUGIN_NAME)};
module.exports = (context) => {
  const exported = own.default || own;
  const config = typeof exported === 'function' ? exported(context) : exported;
  return { ...config, [plugin]: { ...config[plugin], enabled: true, resolve: ${JSON.stringify(build.dir)} } };
};
`
  );
  if (build.original) addOriginalUserFields(appDir);
  return appDir;
}

/**
 * What a 0.0.5 user had to add by hand for its logins to work: `openid` (string) and `wechatUserInfo` (json) on the
 * users-permissions User, as the extension schema the Content-Type Builder writes (src/ and, for `strapi start` of
 * a compiled TypeScript app, dist/src/).
 */
function addOriginalUserFields(appDir) {
  const usersPermissions = path.dirname(require.resolve('@strapi/plugin-users-permissions/package.json', { paths: [ROOT] }));
  const { config: _config, ...userType } = require(path.join(usersPermissions, 'server', 'content-types', 'user'));
  const schema = { kind: 'collectionType', ...userType, attributes: { ...userType.attributes, openid: { type: 'string' }, wechatUserInfo: { type: 'json' } } };
  for (const base of [appDir, path.join(appDir, 'dist')]) {
    const dir = path.join(base, 'src', 'extensions', 'users-permissions', 'content-types', 'user');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'schema.json'), JSON.stringify(schema, null, 2) + '\n');
  }
}

/**
 * The original plugin's AppID and AppSecret, saved as its admin page saved them: the first admin registered, then
 * `POST /strapi-wechat-miniprogram-auth/credentials/add` with that admin's JWT.
 */
async function storeOriginalCredentials(url, { appId, appSecret }) {
  const json = { 'content-type': 'application/json' };
  const registered = await fetch(`${url}/admin/register-admin`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ firstname: 'Bench', lastname: 'Admin', email: 'bench-admin@example.com', password: 'Bench-Admin-Password-1' }),
  });
  const token = registered.ok ? (await registered.json()).data.token : null;
  if (!token) throw new Error(`0.0.5: could not register the first admin: HTTP ${registered.status} ${await registered.text()}`);
  const added = await fetch(`${url}/${PLUGIN_NAME}/credentials/add`, {
    method: 'POST',
    headers: { ...json, authorization: `Bearer ${token}` },
    body: JSON.stringify({ app_id: appId, app_secret: appSecret }),
  });
  const body = added.ok ? await added.json() : null;
  if (!body || body.status !== true) throw new Error(`0.0.5: could not store its credentials: HTTP ${added.status} ${JSON.stringify(body)}`);
}

module.exports = { playgroundFor, preparePlayground, storeOriginalCredentials };
