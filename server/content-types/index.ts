import { accessTokenSchema } from './access-token';
import { identitySchema } from './identity';
import { legacyCredentialSchema } from './legacy-credential';
import { qrLoginSchema } from './qr-login';

export default {
  identity: { schema: identitySchema },
  'wx-credential': { schema: legacyCredentialSchema },
  'access-token': { schema: accessTokenSchema },
  'qr-login': { schema: qrLoginSchema },
};
