import type { Platform } from './platform';

/** The logged-in user as the login answered it (users-permissions' sanitized user, plus the openid in this app). */
export interface WechatUser {
  id: number;
  username?: string;
  openid?: string;
  [key: string]: unknown;
}

/** What the client keeps in storage: the JWT and the user. Never a session key (the server never sends one). */
export interface Session {
  token: string;
  user: WechatUser;
}

function isSession(value: unknown): value is Session {
  if (typeof value !== 'object' || value === null) return false;
  const { token, user } = value as { token?: unknown; user?: unknown };
  return typeof token === 'string' && token !== '' && typeof user === 'object' && user !== null;
}

/** The session in the platform's synchronous storage, under one key. */
export class SessionStore {
  constructor(
    private readonly platform: Platform,
    private readonly key: string
  ) {}

  /** The stored session, or null (nothing stored, or something that is not a session: wx answers '' for a missing key). */
  read(): Session | null {
    try {
      const value = this.platform.getStorageSync(this.key);
      return isSession(value) ? { token: value.token, user: value.user } : null;
    } catch {
      return null;
    }
  }

  write(session: Session): void {
    this.platform.setStorageSync(this.key, { token: session.token, user: session.user });
  }

  clear(): void {
    this.platform.removeStorageSync(this.key);
  }
}
