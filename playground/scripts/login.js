'use strict';

/**
 * What a mini program does, from the command line: get a code for <user> (the simulator plays
 * wx.login) and POST it to the playground's login route. Prints the JSON answer.
 *   npm run login -- alice
 */
const user = process.argv[2] || 'alice';
const strapiUrl = process.env.STRAPI_URL || 'http://127.0.0.1:1337';
const simulatorUrl = process.env.WECHAT_API_BASE_URL || 'http://127.0.0.1:8900';

async function main() {
  const { code } = await (await fetch(`${simulatorUrl}/__sim/code`, { method: 'POST', body: JSON.stringify({ user }) })).json();
  const res = await fetch(`${strapiUrl}/strapi-wechat-miniprogram-auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ code, userInfo: { nickName: user, avatarUrl: 'https://example.com/avatar.png' } }),
  });
  console.log(`HTTP ${res.status}`);
  console.log(JSON.stringify(await res.json(), null, 2));
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
