/**
 * App code calling the plugin's `wechat` service, as an app would: a test app's own API
 * (src/api/wechat-probe) with one public route, `POST /api/wechat-probe/:method`, whose body is the
 * service call's input. A Buffer answer (the mini program code) is sent as the image it is; anything
 * else as `{ data }`; errors go through Strapi's error middleware like any app route's.
 */
import request from 'supertest';

export const PROBE_METHODS = ['getPhoneNumber', 'sendSubscribeMessage', 'getUnlimitedQRCode', 'msgSecCheck', 'call', 'tokenStatus'] as const;
export type ProbeMethod = (typeof PROBE_METHODS)[number];

const controller = `'use strict';
const METHODS = ${JSON.stringify(PROBE_METHODS)};
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47]);

module.exports = ({ strapi }) => ({
  async run(ctx) {
    const method = ctx.params.method;
    if (!METHODS.includes(method)) return ctx.notFound('no such method');
    const wechat = strapi.plugin('strapi-wechat-miniprogram-auth').service('wechat');
    const input = ctx.request.body;
    const result = method === 'tokenStatus' ? await wechat.tokenStatus(input.appId) : await wechat[method](input);
    if (Buffer.isBuffer(result)) {
      ctx.type = result.subarray(0, 4).equals(PNG) ? 'image/png' : 'image/jpeg';
      ctx.body = result;
      return;
    }
    ctx.body = { data: result };
  },
});
`;

const routes = `'use strict';
module.exports = {
  routes: [{ method: 'POST', path: '/wechat-probe/:method', handler: 'wechat-probe.run', config: { auth: false } }],
};
`;

/** The files that add the probe API to a test app (TestAppOptions.files). */
export const probeFiles: Record<string, string> = {
  'src/api/wechat-probe/controllers/wechat-probe.js': controller,
  'src/api/wechat-probe/routes/wechat-probe.js': routes,
};

type Target = Parameters<typeof request>[0];

/** Calls `wechat.<method>(input)` in the app behind `server`; binary answers arrive as a Buffer in `body`. */
export function probe(server: Target, method: ProbeMethod, input: unknown) {
  return request(server)
    .post(`/api/wechat-probe/${method}`)
    .send(input as object)
    .buffer(true)
    .parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        const type = String(res.headers['content-type'] ?? '');
        if (type.startsWith('image/')) return done(null, bytes);
        try {
          done(null, JSON.parse(bytes.toString('utf8')));
        } catch {
          done(null, bytes.toString('utf8'));
        }
      });
    });
}
