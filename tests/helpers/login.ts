import request from 'supertest';

export const LOGIN_PATH = '/strapi-wechat-miniprogram-auth/login';

let nonce = 0;
/** A fresh wx.login code for `user`, as the simulator understands it. */
export const codeFor = (user: string) => `sim_${user}_${Date.now().toString(36)}${(nonce++).toString(36)}`;
/** A fresh code that makes the simulator misbehave: err40029, delay300, hang, reset, http500, nonjson, html. */
export const faultCode = (fault: string) => `fault_${fault}_${(nonce++).toString(36)}`;

export function login(server: string, body: unknown) {
  const req = request(server).post(LOGIN_PATH);
  return typeof body === 'string' ? req.set('Content-Type', 'application/json').send(body) : req.send(body as object);
}

/** Asserts Strapi's error format: { data: null, error: { status, name, message, details } }. */
export function expectStrapiError(res: request.Response, status: number): void {
  expect({ status: res.status, body: res.body }).toMatchObject({
    status,
    body: { data: null, error: { status, name: expect.any(String), message: expect.any(String) } },
  });
  expect(res.body.error).toHaveProperty('details');
  expect(res.body).not.toHaveProperty('token');
}

/** Collects every response text so a test can scan them for secrets at the end. */
export class ResponseLog {
  private readonly texts: string[] = [];

  add(res: request.Response): request.Response {
    this.texts.push(res.text ?? '', JSON.stringify(res.headers));
    return res;
  }

  text(): string {
    return this.texts.join('\n');
  }
}

/** Fails with the first secret found in `text` (only its position, never the secret itself). */
export function expectNoSecrets(text: string, secrets: string[]): void {
  const leaked = secrets.filter((s) => s && text.includes(s)).length;
  expect({ leakedSecrets: leaked, checked: secrets.length }).toEqual({ leakedSecrets: 0, checked: secrets.length });
}

/** A users-permissions account with a password (no WeChat identity), registered through /api/auth/local/register. */
export async function registerLocalUser(server: string, username: string, responses?: ResponseLog): Promise<{ jwt: string; user: { id: number } }> {
  const res = await request(server)
    .post('/api/auth/local/register')
    .send({ username, email: `${username}@example.com`, password: 'Password123!' });
  responses?.add(res);
  expect({ status: res.status, body: res.status === 200 ? undefined : res.body }).toEqual({ status: 200, body: undefined });
  return res.body as { jwt: string; user: { id: number } };
}
