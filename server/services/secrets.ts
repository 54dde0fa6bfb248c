import { pluginConfig } from '../strapi';
import type { Strapi } from '../types';
import { createSecretBox, SecretBox, SecretUnreadableError } from '../crypto/secret-box';

/**
 * The secrets at rest (AppSecrets in the plugin store, access tokens, session keys): sealed with
 * AES-256-GCM under `encryption.key` before they are written, opened after they are read.
 */
export default ({ strapi }: { strapi: Strapi }) => {
  let box: SecretBox | null = null;
  const current = () => (box ??= createSecretBox(pluginConfig(strapi, 'encryption')));
  /** Opens a stored value; null and undefined stay null. Throws SecretUnreadableError for a value no configured key opens. */
  const open = (stored: string | null | undefined): string | null => (stored === null || stored === undefined ? null : current().open(stored));
  return {
    box: current,
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
