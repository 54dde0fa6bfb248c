/**
 * The profile's Strapi-free pieces: the image signature check, the phone mask, and the request
 * validation (what reaches the services).
 */
import sharp from 'sharp';
import { sniffImageFormat } from '../server/utils/image-type';
import { maskPhoneNumber } from '../server/utils/phone-mask';
import { validateProfileUpdate } from '../server/controllers/validation/profile';

const LIMITS = { nicknameMaxLength: 32, avatarMaxBytes: 2048 };
const file = (size: number) => ({ path: '/tmp/upload_x', name: 'a.png', type: 'image/png', size });

describe('sniffImageFormat', () => {
  test.each([
    [
      'jpeg',
      () =>
        sharp({ create: { width: 4, height: 4, channels: 3, background: '#fff' } })
          .jpeg()
          .toBuffer(),
    ],
    [
      'png',
      () =>
        sharp({ create: { width: 4, height: 4, channels: 3, background: '#fff' } })
          .png()
          .toBuffer(),
    ],
    [
      'gif',
      () =>
        sharp({ create: { width: 4, height: 4, channels: 3, background: '#fff' } })
          .gif()
          .toBuffer(),
    ],
    [
      'webp',
      () =>
        sharp({ create: { width: 4, height: 4, channels: 3, background: '#fff' } })
          .webp()
          .toBuffer(),
    ],
  ])('recognises %s as sharp writes it', async (format, make) => {
    expect(sniffImageFormat((await make()).subarray(0, 12))).toBe(format);
  });

  test.each([
    ['text', Buffer.from('hello world, not an image')],
    ['SVG', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')],
    ['a RIFF that is not WebP (WAV)', Buffer.from('RIFF\u0000\u0000\u0000\u0000WAVEfmt ', 'latin1')],
    ['a truncated PNG signature', Buffer.from([0x89, 0x50, 0x4e, 0x47])],
    ['nothing', Buffer.alloc(0)],
  ])('refuses %s', (_label, head) => {
    expect(sniffImageFormat(head)).toBeNull();
  });
});

describe('maskPhoneNumber', () => {
  test.each([
    ['13800138000', '138****8000'],
    ['85212345678', '852****5678'],
    ['91234567', '****4567'],
    ['6123456789', '******6789'],
    ['1234567', '*****67'],
    ['1234', '****'],
  ])('%s → %s', (number, masked) => {
    expect(maskPhoneNumber(number)).toBe(masked);
  });

  test('never shows more than 7 digits of a long number', () => {
    const masked = maskPhoneNumber('0044207946095812');
    expect(masked.replace(/\*/g, '')).toHaveLength(7);
    expect(masked).toHaveLength(16);
  });
});

describe('validateProfileUpdate', () => {
  const fails = (body: unknown, files?: unknown) => {
    try {
      validateProfileUpdate(body, files, LIMITS);
    } catch (error) {
      return (error as { name: string }).name;
    }
    return null;
  };

  test('a nickname is trimmed; an avatar under the limit passes through', () => {
    expect(validateProfileUpdate({ nickName: ' \u3000 a b \n' }, undefined, LIMITS)).toEqual({ nickName: 'a b' });
    expect(validateProfileUpdate({}, { avatar: file(2048) }, LIMITS)).toEqual({ avatar: file(2048) });
  });

  test('over the size limit is a PayloadTooLargeError, an empty file a ValidationError', () => {
    expect(fails({}, { avatar: file(2049) })).toBe('PayloadTooLargeError');
    expect(fails({}, { avatar: file(0) })).toBe('ValidationError');
  });

  test.each([
    ['a prototype-polluting body', JSON.parse('{"__proto__": {"x": 1}, "nickName": "a"}')],
    ['a class instance', new Date()],
    ['a string body', 'nickName=a'],
    ['two nicknames (multipart repeats a field)', { nickName: ['a', 'b'] }],
  ])('%s → ValidationError', (_label, body) => {
    expect(fails(body)).toBe('ValidationError');
  });
});
