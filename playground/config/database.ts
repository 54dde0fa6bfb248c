import type { Env } from './env';
import path from 'path';

export default ({ env }: { env: Env }) => {
  const client = env('DATABASE_CLIENT', 'sqlite');
  if (client === 'sqlite') {
    return {
      connection: {
        client: 'sqlite',
        connection: { filename: path.resolve(__dirname, '..', '..', env('DATABASE_FILENAME', '.tmp/data.db')) },
        useNullAsDefault: true,
      },
    };
  }
  const postgres = client === 'postgres';
  return {
    connection: {
      // Strapi 4.26 ships the mysql2 driver (MySQL and MariaDB), not mysql.
      client: postgres ? 'postgres' : 'mysql2',
      connection: {
        host: env('DATABASE_HOST', '127.0.0.1'),
        port: env.int('DATABASE_PORT', postgres ? 5432 : 3306),
        database: env('DATABASE_NAME', 'wxauth_playground'),
        user: env('DATABASE_USERNAME', postgres ? 'postgres' : 'root'),
        password: env('DATABASE_PASSWORD', ''),
      },
      pool: { min: env.int('DATABASE_POOL_MIN', 0), max: env.int('DATABASE_POOL_MAX', 10) },
    },
  };
};
