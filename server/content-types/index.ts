import { accessTokenSchema } from './access-token';
import { identitySchema } from './identity';
import { legacyCredentialSchema } from './legacy-credential';
import { oauthGrantSchema } from './oauth-grant';

export default {
  identity: { schema: identitySchema },
  'wx-credential': { schema: legacyCredentialSchema },
  'access-token': { schema: accessTokenSchema },
  'oauth-grant': { schema: oauthGrantSchema },
};
