'use strict';

/**
 * The example mini program after its 构建 npm (examples/miniprogram: npm install && npm run build:npm), run against
 * the playground as a mini program runs it: its own api.js and config.js, with `require` of an npm package resolved
 * to miniprogram_npm/<name> (never node_modules) and a `wx` that does what DevTools' would (request over HTTP,
 * storage in memory, the project's AppID). Logs in through the packed client, then reads the playground's
 * articles with the JWT. Exits non-zero on any failure.
 *   node .ci/example-miniprogram.js [examples/miniprogram]
 */
const fs = require('fs');
const path = require('path');
const Module = require('module');

const example = path.resolve(process.argv[2] || path.join(__dirname, '..', 'examples', 'miniprogram'));
const packed = path.join(example, 'miniprogram_npm');

/** The mini program's module resolution for package names: miniprogram_npm/<name>/index.js, nothing else. */
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  const fromExample = parent && parent.filename && parent.filename.startsWith(example + path.sep);
  if (fromExample && !request.startsWith('.') && !path.isAbsolute(request)) {
    const entry = path.join(packed, request, 'index.js');
    if (!fs.existsSync(entry)) throw new Error(`${request} is not in miniprogram_npm/: 构建 npm did not pack it`);
    return entry;
  }
  return resolveFilename.call(this, request, parent, ...rest);
};

const { appid } = JSON.parse(fs.readFileSync(path.join(example, 'project.config.json'), 'utf8'));
const storage = new Map();
global.wx = {
  getAccountInfoSync: () => ({ miniProgram: { appId: appid, envVersion: 'develop' } }),
  request({ url, method = 'GET', data, header = {}, success, fail }) {
    const withBody = method !== 'GET' && data !== undefined;
    // As wx.request: a GET's data becomes the query string.
    if (method === 'GET' && data && typeof data === 'object') {
      const query = new URLSearchParams(Object.entries(data).map(([key, value]) => [key, String(value)])).toString();
      if (query) url += (url.includes('?') ? '&' : '?') + query;
    }
    // As wx.request: JSON unless the caller set a content-type (in any letter case).
    const headers = new Headers(header);
    if (withBody && !headers.has('content-type')) headers.set('content-type', 'application/json');
    fetch(url, { method, headers, body: withBody ? JSON.stringify(data) : undefined })
      .then(async (res) => {
        const text = await res.text();
        let body = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: wx.request hands the text over as it is
        }
        success && success({ statusCode: res.status, data: body, header: Object.fromEntries(res.headers), errMsg: 'request:ok' });
      })
      .catch((error) => fail && fail({ errMsg: `request:fail ${error.message}` }));
    return { abort() {} };
  },
  getStorageSync: (key) => (storage.has(key) ? JSON.parse(storage.get(key)) : ''),
  setStorageSync: (key, value) => storage.set(key, JSON.stringify(value)),
  removeStorageSync: (key) => storage.delete(key),
  showToast: ({ title }) => console.log(`toast: ${title}`),
};

async function main() {
  const { client } = require(path.join(example, 'api.js'));
  const { user } = await client.login();
  if (!user || typeof user.id !== 'number' || !client.token) throw new Error(`login answered no user or token: ${JSON.stringify(user)}`);
  const articles = await client.request({ url: '/api/articles' });
  const count = Array.isArray(articles.data) ? articles.data.length : -1;
  if (count < 1) throw new Error(`GET /api/articles with the JWT answered no articles: ${JSON.stringify(articles).slice(0, 300)}`);
  console.log(`example mini program (miniprogram_npm): logged in as user ${user.id}, read ${count} articles with the JWT`);
}

main().catch((error) => {
  console.error(`example mini program: ${error.message}`);
  process.exit(1);
});
