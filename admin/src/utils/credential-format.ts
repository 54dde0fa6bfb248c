// The same rules as the server's (server/controllers/validation/settings.ts): the server checks
// again, this only spares a round trip and gives a translated message.
export const APP_ID_PATTERN = /^wx[0-9a-f]{16}$/i;
export const APP_SECRET_PATTERN = /^[0-9a-f]{32}$/i;

export type FieldError = 'required' | 'format';

export interface FieldRules {
  /** The field may be left empty: a value is already in effect (stored or from config). */
  optional: boolean;
  /** The field is set in config/plugins: not checked, not sent. */
  fromConfig: boolean;
}

export function checkField(value: string, pattern: RegExp, rules: FieldRules): FieldError | null {
  if (rules.fromConfig) return null;
  if (!value) return rules.optional ? null : 'required';
  return pattern.test(value) ? null : 'format';
}
