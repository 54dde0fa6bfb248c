/**
 * A phone number as it may be shown back to its owner, never in full: at least 4 digits hidden.
 * 11 digits or more (mainland China): the first 3 and the last 4 (`138****8000`); 8 to 10 digits
 * (e.g. Hong Kong, Macau): the last 4; 5 to 7: the last 2; shorter: nothing.
 */
export function maskPhoneNumber(number: string): string {
  const digits = [...number];
  const stars = (n: number) => '*'.repeat(n);
  if (digits.length >= 11) return `${digits.slice(0, 3).join('')}${stars(digits.length - 7)}${digits.slice(-4).join('')}`;
  if (digits.length >= 8) return `${stars(digits.length - 4)}${digits.slice(-4).join('')}`;
  if (digits.length >= 5) return `${stars(digits.length - 2)}${digits.slice(-2).join('')}`;
  return stars(digits.length);
}
