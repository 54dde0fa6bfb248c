/**
 * A phone number as it may be shown back to its owner: the first 3 and last 4 digits of a number of
 * 8 digits or more (`138****8000`), only the last 2 of a shorter one, none of 4 or fewer. Never the full number.
 */
export function maskPhoneNumber(number: string): string {
  const digits = [...number];
  if (digits.length >= 8) return `${digits.slice(0, 3).join('')}${'*'.repeat(digits.length - 7)}${digits.slice(-4).join('')}`;
  if (digits.length <= 4) return '*'.repeat(digits.length);
  return `${'*'.repeat(digits.length - 2)}${digits.slice(-2).join('')}`;
}
