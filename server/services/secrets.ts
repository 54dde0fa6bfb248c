import { appSecrets, pluginConfig } from '../strapi';
import type { Strapi } from '../types';
import { createSecretBox, SecretBox, SecretUnreadableError } from '../crypto/secret-box';
import { KeySource, resolveKeyring } from '../crypto/keyring';

/**
 * The secrets at rest (AppSecrets in the plugin store, access tokens, session keys): sealed with
 * AES-256-GCM before they are written, opened after they are read; under `encryption.key`, or
 * without one under a key derived from the app's own secrets (see crypto/keyring).
 */
export default ({ strapi }: { strapi: Strapi }) => {
  let state: { box: SecretBox; source: KeySource } | null = null;
  const resolve = () => {
    if (state) return state;
    const { encryptionKey, appKeys } = appSecrets(strapi);
    const keyring = resolveKeyring({ ...pluginConfig(strapi, 'encryption'), strapiEncryptionKey: encryptionKey, appKeys });
    state = { box: createSecretBox(keyring), source: keyring.source };
    return state;
  };
  const current = () => resolve().box;
  /** Opens a stored value; null and undefined stay null. Throws SecretUnreadableError for a value no configured key opens. */
  const open = (stored: string | null | undefined): string | null => (stored === null || stored === undefined ? null : current().open(stored));
  return {
    box: current,
    /** Where the sealing key comes from: the plugin's config, the app's secrets, or nowhere. */
    keySource: (): KeySource => resolve().source,
    seal: (plain: string): string => current().seal(plain),
    open,
    /** Like open(), but a value no configured key opens is null; `onUnreadable` hears why. */
    openOrNull(stored: string | null | undefined, onUnreadable?: (error: SecretUnreadableError) => void): string | null {
      try {
        return open(stored);
      } catch (error) {
        if (!(error instanceof SecretUnreadableError)) throw error;
        onUnreadable?.(error);
        return null;
      }
    },
  };
};
