/**
 * Admin panel users, roles and JWTs for tests of the plugin's admin API.
 */
import type { Untyped } from './test-app';
import request from 'supertest';

/** What supertest accepts: the app's URL (TestApp.server) or an http.Server. */
type Target = Parameters<typeof request>[0];

export const ADMIN_PASSWORD = 'Test-Passw0rd';

/** Role codes Strapi creates at first boot. */
export const ROLE = { superAdmin: 'strapi-super-admin', editor: 'strapi-editor', author: 'strapi-author' } as const;

/** Registers the first admin (a Super Admin) the way the admin panel's welcome form does; returns its JWT. */
export async function registerFirstAdmin(server: Target, email = 'super@example.com'): Promise<string> {
  const res = await request(server).post('/admin/register-admin').send({ email, firstname: 'Super', lastname: 'Admin', password: ADMIN_PASSWORD });
  if (res.status !== 200) throw new Error(`register-admin answered ${res.status}: ${res.text}`);
  return res.body.data.token as string;
}

/** POST /admin/login: the admin JWT for `email`. */
export async function adminLogin(server: Target, email: string, password = ADMIN_PASSWORD): Promise<string> {
  const res = await request(server).post('/admin/login').send({ email, password });
  if (res.status !== 200) throw new Error(`admin login answered ${res.status}: ${res.text}`);
  return res.body.data.token as string;
}

/** A role holding exactly `actions` (plugin actions, no subject). */
export async function createRole(strapi: Untyped, name: string, actions: string[]): Promise<number> {
  const role = await strapi.admin.services.role.create({ name, description: `${name} (test)` });
  await strapi.admin.services.role.assignPermissions(
    role.id,
    actions.map((action) => ({ action, subject: null, properties: {}, conditions: [] }))
  );
  return role.id;
}

export async function roleId(strapi: Untyped, code: string): Promise<number> {
  const role = await strapi.admin.services.role.findOne({ code });
  if (!role) throw new Error(`no admin role ${code}`);
  return role.id;
}

/** An active admin user with the given role, logged in: returns its JWT. */
export async function adminWithRole(strapi: Untyped, server: Target, email: string, role: number): Promise<string> {
  await strapi.admin.services.user.create({
    email,
    firstname: 'Test',
    lastname: email.split('@')[0],
    password: ADMIN_PASSWORD,
    isActive: true,
    registrationToken: null,
    roles: [role],
  });
  return adminLogin(server, email);
}

/** POST /admin/api-tokens (Strapi 4 and 5): a content-API token of `type`, never expiring; returns its access key. */
export async function createApiToken(server: Target, adminJwt: string, type: 'read-only' | 'full-access', name = `${type} token`): Promise<string> {
  const res = await request(server)
    .post('/admin/api-tokens')
    .set('Authorization', `Bearer ${adminJwt}`)
    .send({ name, description: 'test', type, lifespan: null });
  if (res.status !== 201) throw new Error(`api-tokens answered ${res.status}: ${res.text}`);
  return res.body.data.accessKey as string;
}
