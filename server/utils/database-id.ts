/** The largest id Strapi's `increments` columns hold (a 32-bit integer on PostgreSQL and MySQL). */
export const MAX_ID = 2_147_483_647;

/** Digits that can be a row's id: no sign, no leading zero, at most MAX_ID (a larger number makes PostgreSQL fail the query). */
export const isDatabaseId = (text: string): boolean => /^[1-9]\d{0,9}$/.test(text) && Number(text) <= MAX_ID;
