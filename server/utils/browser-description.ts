import Bowser from 'bowser';

/** The longest User-Agent read (longer ones are cut: they are not browsers anyone would recognise anyway). */
const MAX_USER_AGENT = 512;
const MAX_DESCRIPTION = 120;

/** Printable ASCII only: the description is shown on a phone, and the User-Agent is whatever the client sent. */
const printable = (text: string) =>
  text
    .replace(/[^\x20-\x7e]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

/**
 * What a person recognises of a browser from its User-Agent: "Chrome 120 on macOS 10.15.7 (desktop)",
 * "Safari 17 on iOS 17.1 (mobile)". The major version only: the full one says nothing more to a person.
 */
export function describeBrowser(userAgent: string | undefined): string {
  if (!userAgent) return 'Unknown browser';
  const { browser, os, platform } = Bowser.parse(userAgent.slice(0, MAX_USER_AGENT));
  const name = [browser.name, browser.version?.split('.')[0]].filter(Boolean).join(' ') || 'Unknown browser';
  const system = [os.name, os.version].filter(Boolean).join(' ');
  const description = `${name}${system ? ` on ${system}` : ''}${platform.type ? ` (${platform.type})` : ''}`;
  return printable(description).slice(0, MAX_DESCRIPTION);
}
