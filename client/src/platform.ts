import type { Upload } from './transport';

/**
 * The few `wx` functions the client uses, in their callback shapes. `uni` (uni-app) and `Taro` have the same ones;
 * pass them as `platform`. Only what the client reads or writes is typed.
 */
export interface PlatformFailure {
  errMsg: string;
}

export interface PlatformRequestOptions {
  url: string;
  method: string;
  data?: unknown;
  header: Record<string, string>;
  timeout: number;
  dataType: 'json';
  success(res: { statusCode: number; data: unknown }): void;
  fail(err: PlatformFailure): void;
}

/** wx.uploadFile's options: the upload as the client describes it, and the callbacks. */
export interface PlatformUploadOptions extends Upload {
  success(res: { statusCode: number; data: unknown }): void;
  fail(err: PlatformFailure): void;
}

export interface PlatformLoginOptions {
  timeout: number;
  success(res: { code: string }): void;
  fail(err: PlatformFailure): void;
}

/** A task the platform may return (wx.request's RequestTask): aborted when the client gives up waiting. */
interface AbortableTask {
  abort(): void;
}

export interface Platform {
  login(options: PlatformLoginOptions): unknown;
  request(options: PlatformRequestOptions): unknown;
  uploadFile(options: PlatformUploadOptions): unknown;
  getStorageSync(key: string): unknown;
  setStorageSync(key: string, value: unknown): void;
  removeStorageSync(key: string): void;
}

declare const wx: Platform | undefined;
// The timers every mini program runtime (and uni-app, Taro) has; declared here because the client compiles without DOM or Node types.
declare function setTimeout(handler: () => void, ms: number): unknown;
declare function clearTimeout(id: unknown): void;

/** The mini program's own `wx`, when the code runs in a native mini program. */
export function defaultPlatform(): Platform | undefined {
  return typeof wx !== 'undefined' ? wx : undefined;
}

const isAbortable = (task: unknown): task is AbortableTask =>
  typeof task === 'object' && task !== null && typeof (task as { abort?: unknown }).abort === 'function';

/**
 * Calls a callback-style platform function as a promise. Whatever the platform does with its `timeout`, the promise
 * settles: after `deadlineMs` without success or fail it rejects with `onDeadline()` (and aborts the task if it can).
 */
export function callPlatform<R>(
  start: (callbacks: { success(res: R): void; fail(err: PlatformFailure): void }) => unknown,
  deadlineMs: number,
  onFail: (err: PlatformFailure) => Error,
  onDeadline: () => Error
): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    let settled = false;
    let task: unknown;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      if (isAbortable(task)) task.abort();
      reject(onDeadline());
    }, deadlineMs);
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    try {
      task = start({
        success: (res) => settle(() => resolve(res)),
        fail: (err) => settle(() => reject(onFail(err && typeof err.errMsg === 'string' ? err : { errMsg: 'fail (no errMsg)' }))),
      });
    } catch (error) {
      settle(() => reject(onFail({ errMsg: error instanceof Error ? error.message : String(error) })));
    }
  });
}
