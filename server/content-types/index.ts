import { accessTokenSchema } from './access-token';
import { adminAuditSchema } from './admin-audit';
import { identitySchema } from './identity';
import { legacyCredentialSchema } from './legacy-credential';
import { loginActivitySchema } from './login-activity';
import { qrLoginSchema } from './qr-login';
import { oauthGrantSchema } from './oauth-grant';

export default {
  identity: { schema: identitySchema },
  'wx-credential': { schema: legacyCredentialSchema },
  'access-token': { schema: accessTokenSchema },
  'admin-audit': { schema: adminAuditSchema },
  'login-activity': { schema: loginActivitySchema },
  'qr-login': { schema: qrLoginSchema },
  'oauth-grant': { schema: oauthGrantSchema },
};
