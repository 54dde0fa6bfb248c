/**
 * The input of the `wechat` service's calls, checked before WeChat is asked: a bad input is a 400
 * ValidationError and no call. Messages are fixed texts: they never echo a value (a code, a
 * message text or an openid may be personal).
 */
import { errors } from '@strapi/utils';
import { APP_ID_FORMAT, APP_ID_PATTERN } from '../utils/app-id';
import { GENERIC_PATH_PATTERN, type MsgSecCheckBody, type SubscribeMessageBody, type UnlimitedQRCodeBody } from '../wechat/wechat-client';

type Input = Record<string, unknown>;

interface Problem {
  path: string[];
  message: string;
}

class Checker {
  readonly problems: Problem[] = [];

  constructor(readonly input: Input) {}

  fail(field: string, message: string): void {
    this.problems.push({ path: field.split('.'), message });
  }

  /** A string field; `pattern` and length bounds when present. */
  string(
    field: string,
    { required = false, min = 1, max, pattern, format }: { required?: boolean; min?: number; max: number; pattern?: RegExp; format?: string }
  ) {
    const value = this.input[field];
    if (value === undefined || value === null) {
      if (required) this.fail(field, `${field} is required`);
      return;
    }
    if (typeof value !== 'string') return this.fail(field, `${field} must be a string`);
    if (value.length < min) return this.fail(field, `${field} must not be empty`);
    if (value.length > max) return this.fail(field, `${field} must be at most ${max} characters`);
    if (pattern && !pattern.test(value)) this.fail(field, format ?? `${field} has characters WeChat does not accept`);
  }

  oneOf(field: string, values: readonly unknown[], { required = false } = {}) {
    const value = this.input[field];
    if (value === undefined || value === null) {
      if (required) this.fail(field, `${field} is required`);
      return;
    }
    if (!values.includes(value)) this.fail(field, `${field} must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}`);
  }

  boolean(field: string) {
    const value = this.input[field];
    if (value !== undefined && value !== null && typeof value !== 'boolean') this.fail(field, `${field} must be true or false`);
  }

  integer(field: string, min: number, max: number) {
    const value = this.input[field];
    if (value === undefined || value === null) return;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.fail(field, `${field} must be an integer from ${min} to ${max}`);
    }
  }

  known(fields: string[]) {
    for (const key of Object.keys(this.input)) {
      if (!fields.includes(key)) this.fail(key, `Unknown field: ${key}`);
    }
  }

  done(): void {
    if (!this.problems.length) return;
    const message = this.problems.length === 1 ? this.problems[0].message : `${this.problems.length} errors occurred`;
    throw new errors.ValidationError(message, { errors: this.problems.map((p) => ({ ...p, name: 'ValidationError' })) });
  }
}

export const isPlainObject = (value: unknown): value is Input =>
  value !== null &&
  typeof value === 'object' &&
  !Array.isArray(value) &&
  (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null);

function check(input: unknown, fields: string[], rules: (c: Checker) => void): Input {
  if (!isPlainObject(input)) throw new errors.ValidationError('The input must be an object', { errors: [] });
  const checker = new Checker(input);
  checker.known(fields);
  checker.string('appId', { max: 18, pattern: APP_ID_PATTERN, format: APP_ID_FORMAT });
  rules(checker);
  checker.done();
  return input;
}

/** An openid: 28 characters of [A-Za-z0-9_-] in practice. */
const OPENID = { max: 64, pattern: /^[A-Za-z0-9_-]+$/, format: 'openid must be an openid (letters, digits, - and _)' };
/** The characters WeChat allows in a scene. */
const SCENE_PATTERN = /^[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]+$/;
/** A page path of the mini program: no leading /, no query. */
export const PAGE_PATTERN = /^(?!\/)[A-Za-z0-9_\-./]+$/;
const DATA_KEY_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const MAX_DATA_VALUE = 200;

const optional = <T>(value: unknown): T | undefined => (value === undefined || value === null ? undefined : (value as T));

export interface PhoneNumberInput {
  appId?: string;
  code: string;
  openid?: string;
}

export function phoneNumberInput(input: unknown): PhoneNumberInput {
  const value = check(input, ['appId', 'code', 'openid'], (c) => {
    c.string('code', { required: true, max: 128, pattern: /^[\x21-\x7e]+$/, format: 'code has characters getPhoneNumber never produces' });
    c.string('openid', OPENID);
  });
  return { appId: optional(value.appId), code: value.code as string, openid: optional(value.openid) };
}

export interface SubscribeMessageInput {
  appId?: string;
  body: SubscribeMessageBody;
}

export function subscribeMessageInput(input: unknown): SubscribeMessageInput {
  const value = check(input, ['appId', 'touser', 'templateId', 'page', 'data', 'miniprogramState', 'lang'], (c) => {
    c.string('touser', { required: true, ...OPENID, format: 'touser must be an openid (letters, digits, - and _)' });
    c.string('templateId', { required: true, max: 128, pattern: /^[A-Za-z0-9_-]+$/, format: 'templateId must be a template ID (letters, digits, - and _)' });
    // A page of the mini program, with a query if need be (index?foo=bar).
    c.string('page', { max: 1024, pattern: /^[\x21-\x7e]+$/, format: 'page must be a page path' });
    c.oneOf('miniprogramState', ['developer', 'trial', 'formal']);
    c.oneOf('lang', ['zh_CN', 'en_US', 'zh_HK', 'zh_TW']);
    const data = c.input.data;
    if (data === undefined || data === null) return c.fail('data', 'data is required');
    if (!isPlainObject(data) || !Object.keys(data).length) return c.fail('data', 'data must be an object like { thing1: { value: "..." } }');
    if (Object.keys(data).length > 50) return c.fail('data', 'data has too many keys');
    for (const [key, entry] of Object.entries(data)) {
      if (!DATA_KEY_PATTERN.test(key)) {
        c.fail('data', 'data keys must be template keywords such as thing1');
        continue;
      }
      const text = isPlainObject(entry) ? entry.value : entry;
      if (isPlainObject(entry) && Object.keys(entry).some((k) => k !== 'value')) c.fail(`data.${key}`, `data.${key} must be { value }`);
      else if (typeof text !== 'string' && typeof text !== 'number') c.fail(`data.${key}`, `data.${key} must be a string or { value: string }`);
      else if (String(text).length > MAX_DATA_VALUE) c.fail(`data.${key}`, `data.${key} must be at most ${MAX_DATA_VALUE} characters`);
    }
  });
  const data = Object.fromEntries(
    Object.entries(value.data as Input).map(([key, entry]) => [key, { value: String(isPlainObject(entry) ? entry.value : entry) }])
  );
  const body: SubscribeMessageBody = { touser: value.touser as string, template_id: value.templateId as string, data };
  if (optional(value.page)) body.page = value.page as string;
  if (optional(value.miniprogramState)) body.miniprogram_state = value.miniprogramState as SubscribeMessageBody['miniprogram_state'];
  if (optional(value.lang)) body.lang = value.lang as SubscribeMessageBody['lang'];
  return { appId: optional(value.appId), body };
}

export interface UnlimitedQRCodeInput {
  appId?: string;
  body: UnlimitedQRCodeBody;
}

export function unlimitedQRCodeInput(input: unknown): UnlimitedQRCodeInput {
  const value = check(input, ['appId', 'scene', 'page', 'width', 'envVersion', 'checkPath', 'autoColor', 'lineColor', 'isHyaline'], (c) => {
    c.string('scene', { required: true, max: 32, pattern: SCENE_PATTERN, format: "scene may only hold 0-9 A-Z a-z and !#$&'()*+,/:;=?@-._~" });
    c.string('page', { max: 256, pattern: PAGE_PATTERN, format: 'page must be a page path without a leading / or a query, e.g. pages/index/index' });
    c.integer('width', 280, 1280);
    c.oneOf('envVersion', ['release', 'trial', 'develop']);
    c.boolean('checkPath');
    c.boolean('autoColor');
    c.boolean('isHyaline');
    const color = c.input.lineColor;
    if (color !== undefined && color !== null) {
      const ok =
        isPlainObject(color) &&
        Object.keys(color).every((k) => ['r', 'g', 'b'].includes(k)) &&
        ['r', 'g', 'b'].every((k) => Number.isInteger(color[k]) && (color[k] as number) >= 0 && (color[k] as number) <= 255);
      if (!ok) c.fail('lineColor', 'lineColor must be { r, g, b } with integers from 0 to 255');
    }
  });
  const body: UnlimitedQRCodeBody = { scene: value.scene as string };
  if (optional(value.page)) body.page = value.page as string;
  if (optional(value.width)) body.width = value.width as number;
  if (optional(value.envVersion)) body.env_version = value.envVersion as UnlimitedQRCodeBody['env_version'];
  if (typeof value.checkPath === 'boolean') body.check_path = value.checkPath;
  if (typeof value.autoColor === 'boolean') body.auto_color = value.autoColor;
  if (optional(value.lineColor)) body.line_color = value.lineColor as UnlimitedQRCodeBody['line_color'];
  if (typeof value.isHyaline === 'boolean') body.is_hyaline = value.isHyaline;
  return { appId: optional(value.appId), body };
}

export interface MsgSecCheckInput {
  appId?: string;
  body: MsgSecCheckBody;
}

export function msgSecCheckInput(input: unknown): MsgSecCheckInput {
  const value = check(input, ['appId', 'openid', 'content', 'scene'], (c) => {
    c.string('openid', { required: true, ...OPENID });
    c.string('content', { required: true, max: 2500 });
    c.oneOf('scene', [1, 2, 3, 4], { required: true });
  });
  return {
    appId: optional(value.appId),
    body: { openid: value.openid as string, content: value.content as string, scene: value.scene as MsgSecCheckBody['scene'] },
  };
}

export interface CheckSessionKeyInput {
  appId?: string;
  openid: string;
  sessionKey: string;
}

export function checkSessionKeyInput(input: unknown): CheckSessionKeyInput {
  const value = check(input, ['appId', 'openid', 'sessionKey'], (c) => {
    c.string('openid', { required: true, ...OPENID });
    // code2session's session_key: 16 bytes in base64.
    c.string('sessionKey', {
      required: true,
      max: 24,
      pattern: /^[A-Za-z0-9+/]{22}==$/,
      format: 'sessionKey must be a session_key as code2session answers it',
    });
  });
  return { appId: optional(value.appId), openid: value.openid as string, sessionKey: value.sessionKey as string };
}

export interface GenericCallInput {
  appId?: string;
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string | number | boolean>;
  body?: unknown;
}

export function genericCallInput(input: unknown): GenericCallInput {
  const value = check(input, ['appId', 'method', 'path', 'query', 'body'], (c) => {
    const method = typeof c.input.method === 'string' ? c.input.method.toUpperCase() : c.input.method;
    if (method !== 'GET' && method !== 'POST') c.fail('method', 'method must be GET or POST');
    c.string('path', {
      required: true,
      max: 201,
      pattern: GENERIC_PATH_PATTERN,
      format: 'path must be a path of the WeChat API such as /wxa/getpaidunionid (no host, no query)',
    });
    const query = c.input.query;
    if (query !== undefined && query !== null) {
      if (!isPlainObject(query)) c.fail('query', 'query must be an object of strings, numbers and booleans');
      else {
        for (const [key, item] of Object.entries(query)) {
          if (key.toLowerCase() === 'access_token') c.fail(`query.${key}`, 'query must not hold access_token: the plugin adds it');
          else if (!['string', 'number', 'boolean'].includes(typeof item)) c.fail(`query.${key}`, `query.${key} must be a string, a number or a boolean`);
        }
      }
    }
    const body = c.input.body;
    if (body !== undefined && body !== null) {
      if (method === 'GET') c.fail('body', 'a GET call has no body');
      else if (typeof body !== 'object') c.fail('body', 'body must be an object or an array');
    }
  });
  return {
    appId: optional(value.appId),
    method: (value.method as string).toUpperCase() as 'GET' | 'POST',
    path: value.path as string,
    query: optional(value.query),
    body: optional(value.body),
  };
}
