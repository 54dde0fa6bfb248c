import type { Env } from './env';
export default ({ env }: { env: Env }) => ({
  // Loopback only: this is a playground.
  host: env('HOST', '127.0.0.1'),
  port: env.int('PORT', 1337),
  app: { keys: env.array('APP_KEYS', ['playgroundKeyA', 'playgroundKeyB']) },
});
