/**
 * Names that people read (a user's nickname, an app's name in the admin panel): no character that
 * hides text or changes the order it is shown in. Strapi-free; the validators (server/controllers/
 * validation/) and the config check (server/config/) use it.
 *
 * Refused: control characters (Unicode Cc: C0, DEL, C1), format characters (Cf: the bidi controls
 * U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C; the zero-width U+200B–U+200D, U+2060,
 * U+FEFF; the soft hyphen...), the line and paragraph separators (Zl, Zp) and lone surrogates (not
 * storable as UTF-8). Kept, because emoji need them: U+200D (zero-width joiner) between two emoji,
 * as in 👨‍👩‍👧 or 🏳️‍🌈, and the tag characters of a flag tag sequence (🏴 + tags + U+E007F, as in the
 * flag of England). Variation selectors (U+FE0E, U+FE0F, as in ❤️) are not format characters:
 * always kept.
 */

/** A ZWJ joining an emoji (or its VS16 / skin tone) to the next emoji. */
const EMOJI_JOINER = /(?<=[\p{Extended_Pictographic}\p{Emoji_Modifier}\uFE0F])\u200D(?=\p{Extended_Pictographic})/gu;
/** An emoji tag sequence: the black flag, tag characters, the cancel tag (the tags go, the flag stays). */
const EMOJI_TAG_SEQUENCE = /(\u{1F3F4})[\u{E0020}-\u{E007E}]+\u{E007F}/gu;
const HIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Surrogate}]/u;

const codePoint = (character: string) => `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

/** The first refused character of `text`, as `U+202E`; null when there is none. */
export function hiddenCharacterIn(text: string): string | null {
  const visible = text.replace(EMOJI_TAG_SEQUENCE, '$1').replace(EMOJI_JOINER, '');
  const found = HIDDEN.exec(visible);
  return found ? codePoint(found[0]) : null;
}

/** The message for a name holding `character` (a code point such as U+202E; never the name itself). */
export const hiddenCharacterMessage = (field: string, character: string) =>
  `${field} must not contain control characters or characters that hide or reorder text, such as bidirectional controls and zero-width spaces (found ${character})`;
