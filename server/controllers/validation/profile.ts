import { errors } from '@strapi/utils';
import { uploadedPart, type LocalFile } from '../../strapi';
import { APP_ID_FORMAT, APP_ID_PATTERN } from '../../utils/app-id';
import { hiddenCharacterIn, hiddenCharacterMessage } from '../../utils/display-name';
import { isPlainObject } from './json-body';

/** What PUT /api/strapi-wechat-miniprogram-auth/profile asks for, checked. */
export interface ProfileUpdateRequest {
  /** Trimmed, non-empty, within the configured length, no character that hides or reorders text (server/utils/display-name.ts). */
  nickName?: string;
  /** The app whose openid content security uses (otherwise the user's latest login's). */
  appId?: string;
  /** The uploaded file; its content is checked later (server/services/avatar.ts). */
  avatar?: LocalFile;
}

export interface ProfileLimits {
  nicknameMaxLength: number;
  avatarMaxBytes: number;
}

const FIELDS = ['nickName', 'appId'];
const FILE_FIELD = 'avatar';

type FieldError = { path: string[]; message: string; name: 'ValidationError' };

function invalid(message: string, fieldErrors: FieldError[] = []): never {
  throw new errors.ValidationError(message, fieldErrors.length ? { errors: fieldErrors } : {});
}

const fieldError = (path: string, message: string): FieldError => ({ path: [path], message, name: 'ValidationError' });

function nicknameOf(value: unknown, maxLength: number): string {
  const fail = (message: string) => invalid(message, [fieldError('nickName', message)]);
  if (typeof value !== 'string') return fail('nickName must be a string (one value)');
  const nickname = value.trim();
  if (!nickname) return fail('nickName must not be empty');
  const hidden = hiddenCharacterIn(nickname);
  if (hidden) return fail(hiddenCharacterMessage('nickName', hidden));
  // Characters as the databases count them (code points), not UTF-16 units: an emoji is one.
  if ([...nickname].length > maxLength) return fail(`nickName must be at most ${maxLength} characters`);
  return nickname;
}

function avatarOf(part: unknown, maxBytes: number): LocalFile {
  const fail = (message: string) => invalid(message, [fieldError(FILE_FIELD, message)]);
  if (Array.isArray(part)) return fail('Send one avatar file');
  const file = uploadedPart(part);
  if (!file) return fail('avatar must be a file');
  const { size } = file;
  if (size === 0) return fail('The avatar file is empty');
  if (size > maxBytes) {
    throw new errors.PayloadTooLargeError(`The avatar is larger than ${maxBytes} bytes`, { field: FILE_FIELD, maxBytes, size });
  }
  return { ...file, name: file.name || 'avatar', type: file.type || 'application/octet-stream' };
}

/**
 * The body (JSON, or the fields of a multipart/form-data request) and the uploaded files of a
 * profile update. Anything unexpected is a 400 (an oversized avatar a 413) before anything is stored
 * or WeChat is asked.
 */
export function validateProfileUpdate(body: unknown, files: unknown, limits: ProfileLimits): ProfileUpdateRequest {
  const fields = body === undefined || body === null ? {} : body;
  if (!isPlainObject(fields)) return invalid('The body must be a JSON object or multipart/form-data');
  const unknown = Object.keys(fields).filter((key) => !FIELDS.includes(key));
  if (unknown.length) invalid(`Unknown field: ${unknown[0]}`, [fieldError(unknown[0], `Unknown field: ${unknown[0]} (send nickName, appId, avatar)`)]);
  const parts = files === undefined || files === null ? {} : files;
  if (typeof parts !== 'object') return invalid('The uploaded files could not be read');
  const unknownFiles = Object.keys(parts).filter((key) => key !== FILE_FIELD);
  if (unknownFiles.length) invalid(`Unknown file field: ${unknownFiles[0]} (send the image as avatar)`, [fieldError(unknownFiles[0], 'Unknown file field')]);

  const request: ProfileUpdateRequest = {};
  if (fields.appId !== undefined) {
    if (typeof fields.appId !== 'string' || !APP_ID_PATTERN.test(fields.appId)) invalid(APP_ID_FORMAT, [fieldError('appId', APP_ID_FORMAT)]);
    request.appId = fields.appId;
  }
  if (fields.nickName !== undefined) request.nickName = nicknameOf(fields.nickName, limits.nicknameMaxLength);
  const avatar = (parts as Record<string, unknown>)[FILE_FIELD];
  if (avatar !== undefined) request.avatar = avatarOf(avatar, limits.avatarMaxBytes);
  if (request.nickName === undefined && !request.avatar) invalid('Nothing to change: send nickName, an avatar file, or both');
  return request;
}
