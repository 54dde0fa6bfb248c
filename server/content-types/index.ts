import { accessTokenSchema } from './access-token';
import { identitySchema } from './identity';
import { legacyCredentialSchema } from './legacy-credential';
import { loginActivitySchema } from './login-activity';

export default {
  identity: { schema: identitySchema },
  'wx-credential': { schema: legacyCredentialSchema },
  'access-token': { schema: accessTokenSchema },
  'login-activity': { schema: loginActivitySchema },
};
