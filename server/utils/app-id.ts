/** What WeChat's AppIDs and AppSecrets look like. */
export const APP_ID_PATTERN = /^wx[0-9a-f]{16}$/i;
export const APP_SECRET_PATTERN = /^[0-9a-f]{32}$/i;

export const APP_ID_FORMAT = 'AppID must be "wx" followed by 16 hexadecimal characters';
export const APP_SECRET_FORMAT = 'AppSecret must be 32 hexadecimal characters';
