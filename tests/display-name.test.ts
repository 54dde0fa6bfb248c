/**
 * The one check of names people read (server/utils/display-name.ts): nicknames, app names. Characters
 * that hide or reorder text are refused; what emoji need is kept.
 */
import { hiddenCharacterIn, hiddenCharacterMessage } from '../server/utils/display-name';
import { validateProfileUpdate } from '../server/controllers/validation/profile';
import { validateAppChange, validateNewApp } from '../server/controllers/validation/settings';
import pluginConfig, { validator } from '../server/config';

const LIMITS = { nicknameMaxLength: 32, avatarMaxBytes: 1024 * 1024 };

describe('refused: the character is named, as a code point', () => {
  test.each([
    ['right-to-left override', 'evil\u202Egnp.exe', 'U+202E'],
    ['left-to-right embedding', 'a\u202Ab', 'U+202A'],
    ['pop directional formatting', 'a\u202Cb', 'U+202C'],
    ['right-to-left isolate', 'a\u2067b', 'U+2067'],
    ['pop directional isolate', 'a\u2069b', 'U+2069'],
    ['left-to-right mark', 'a\u200Eb', 'U+200E'],
    ['right-to-left mark', 'a\u200Fb', 'U+200F'],
    ['Arabic letter mark', 'a\u061Cb', 'U+061C'],
    ['zero-width space', 'ad\u200Bmin', 'U+200B'],
    ['zero-width non-joiner', 'a\u200Cb', 'U+200C'],
    ['zero-width joiner between letters', 'a\u200Db', 'U+200D'],
    ['zero-width joiner after an emoji, before a letter', '👨\u200Da', 'U+200D'],
    ['a trailing zero-width joiner', '👨\u200D', 'U+200D'],
    ['word joiner', 'a\u2060b', 'U+2060'],
    ['byte order mark', '\uFEFFadmin', 'U+FEFF'],
    ['soft hyphen (Cf)', 'a\u00ADb', 'U+00AD'],
    ['tag characters outside a flag (hidden text)', 'hi\u{E0041}\u{E0042}', 'U+E0041'],
    ['line separator', 'a\u2028b', 'U+2028'],
    ['paragraph separator', 'a\u2029b', 'U+2029'],
    ['NUL', 'a\u0000b', 'U+0000'],
    ['tab', 'a\tb', 'U+0009'],
    ['C1 control', 'a\u0085b', 'U+0085'],
    ['lone surrogate', 'a\uD800b', 'U+D800'],
  ])('%s', (_label, text, character) => {
    expect(hiddenCharacterIn(text)).toBe(character);
  });
});

describe('kept: text and the emoji sequences that need a format character', () => {
  test.each([
    ['Chinese', '小明'],
    ['Arabic (right-to-left by itself, no control needed)', 'محمد'],
    ['family (ZWJ sequence)', '👨‍👩‍👧'],
    ['red heart (VS16)', '❤️'],
    ['text-style heart (VS15)', '❤︎'],
    ['heart on fire (VS16 then ZWJ)', '❤️‍🔥'],
    ['rainbow flag', '🏳️‍🌈'],
    ['transgender flag', '🏳️‍⚧️'],
    ['skin tone then ZWJ', '👨🏽‍💻'],
    ['hair component', '👩‍🦰'],
    ['people holding hands', '🧑‍🤝‍🧑'],
    ['flag of England (tag sequence)', '🏴󠁧󠁢󠁥󠁮󠁧󠁿'],
    ['keycap', '#️⃣'],
    ['a name with emoji around', 'Alice 👨‍👩‍👧 ❤️'],
  ])('%s', (_label, text) => {
    expect(hiddenCharacterIn(text)).toBeNull();
  });
});

describe('the validators use it', () => {
  test('nickname: 400 ValidationError naming nickName and the character, never the nickname', () => {
    let error: { name?: string; message?: string; details?: { errors?: Array<{ path: string[]; message: string }> } } = {};
    try {
      validateProfileUpdate({ nickName: 'abc\u202Etxt.exe' }, undefined, LIMITS);
    } catch (caught) {
      error = caught as typeof error;
    }
    expect(error.name).toBe('ValidationError');
    expect(error.message).toBe(hiddenCharacterMessage('nickName', 'U+202E'));
    expect(error.details?.errors).toEqual([{ path: ['nickName'], message: error.message, name: 'ValidationError' }]);
    expect(error.message).not.toContain('abc');
    expect(validateProfileUpdate({ nickName: ' 👨‍👩‍👧❤️ ' }, undefined, LIMITS).nickName).toBe('👨‍👩‍👧❤️');
  });

  test('app name, added or changed in the admin panel: 400 naming the field', async () => {
    const secret = '0123456789abcdef0123456789abcdef';
    await expect(validateNewApp({ appId: 'wx0123456789abcdef', appSecret: secret, name: 'Shop\u200B' })).rejects.toMatchObject({
      name: 'ValidationError',
      details: { errors: [expect.objectContaining({ path: ['name'], message: hiddenCharacterMessage('name', 'U+200B') })] },
    });
    await expect(validateAppChange({ name: '\u202EpohS' })).rejects.toMatchObject({ details: { errors: [expect.objectContaining({ path: ['name'] })] } });
    await expect(validateAppChange({ name: 'Shop ❤️' })).resolves.toEqual({ name: 'Shop ❤️' });
  });

  test('app name in the config file: Strapi does not start', () => {
    // The defaults as Strapi merges them, with one app whose name hides text.
    const config = { ...pluginConfig.default(), apps: [{ appId: 'wx0123456789abcdef', name: 'Shop\u2066' }] };
    expect(() => validator(config)).toThrow(`apps[0].${hiddenCharacterMessage('name', 'U+2066')}`);
    expect(() => validator({ ...config, apps: [{ appId: 'wx0123456789abcdef', name: 'Shop 🏳️‍🌈' }] })).not.toThrow();
  });
});
