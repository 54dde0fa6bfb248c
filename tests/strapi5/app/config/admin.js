module.exports = ({ env }) => ({
  auth: { secret: env('ADMIN_JWT_SECRET', 'strapi5-test-admin-jwt-secret') },
  apiToken: { salt: env('API_TOKEN_SALT', 'strapi5-test-api-token-salt') },
  transfer: { token: { salt: env('TRANSFER_TOKEN_SALT', 'strapi5-test-transfer-salt') } },
  secrets: { encryptionKey: env('ENCRYPTION_KEY', 'strapi5-test-encryption-key') },
});
