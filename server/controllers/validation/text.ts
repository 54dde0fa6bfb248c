import { yup } from '@strapi/utils';
import { hiddenCharacterIn, hiddenCharacterMessage } from '../../utils/display-name';

// Control characters (C0, DEL, C1) never belong in a stored profile text, and PostgreSQL refuses
// NUL in text and jsonb outright. Lone surrogates cannot be stored as UTF-8 either.
const CONTROL_CHARACTERS = /\p{Cc}/u;
const LONE_SURROGATE = /\p{Surrogate}/u;

/** True for text without control characters and with well-formed Unicode. */
const isPlainText = (value: string): boolean => !CONTROL_CHARACTERS.test(value) && !LONE_SURROGATE.test(value);

/** A strict string of at most `max` characters. */
const boundedString = (field: string, max: number) =>
  yup.string().strict().typeError(`${field} must be a string`).max(max, `${field} must be at most ${max} characters`);

/** A strict string of at most `max` characters that holds no control character. */
export const plainText = (field: string, max: number) =>
  boundedString(field, max).test('plain-text', `${field} must not contain control characters`, (value) => value === undefined || isPlainText(value));

/** A name people read (an app's name): at most `max` characters, none that hides or reorders text (server/utils/display-name.ts). */
export const displayName = (field: string, max: number) =>
  boundedString(field, max).test('display-name', (value, context) => {
    const hidden = value === undefined ? null : hiddenCharacterIn(value);
    return hidden ? context.createError({ message: hiddenCharacterMessage(field, hidden) }) : true;
  });
