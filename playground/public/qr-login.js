// The web side of logging in by scanning a mini program code (docs/qr-login.md), with nothing but fetch:
// ask for a ticket, show its code, poll with the secret in a header until the mini program confirms, keep the JWT.
'use strict';

(function () {
  const API = '/api/strapi-wechat-miniprogram-auth';
  const POLL_MS = 1500;
  const MESSAGES = {
    pending: 'Scan the code with WeChat 请用微信扫码',
    scanned: 'Scanned: confirm on your phone 已扫码，请在手机上确认',
    confirmed: 'Confirmed 已确认',
    cancelled: 'Refused on the phone 已在手机上拒绝',
    expired: 'The code expired 小程序码已过期',
  };
  const $ = (id) => document.getElementById(id);
  let current = null;

  function setStatus(status, text) {
    $('status').dataset.status = status;
    $('status').textContent = text || MESSAGES[status] || status;
    $('refresh').hidden = !['cancelled', 'expired', 'error'].includes(status);
  }

  /** Strapi's error format: { error: { status, message } }. */
  async function failure(response) {
    const body = await response.json().catch(() => null);
    return new Error((body && body.error && body.error.message) || `HTTP ${response.status}`);
  }

  async function newCode() {
    stop();
    setStatus('loading', 'Getting a code… 正在获取小程序码…');
    const response = await fetch(`${API}/qr-logins`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    if (!response.ok) throw await failure(response);
    const { ticket, secret, qrCode } = await response.json();
    // The secret stays in this page's memory: never in the URL, never in storage.
    current = { ticket, secret, timer: null };
    $('qr-code').src = qrCode;
    $('qr-code').hidden = false;
    $('ticket').textContent = ticket;
    setStatus('pending');
    schedule();
  }

  function schedule() {
    if (current) current.timer = setTimeout(() => poll().catch(showError), POLL_MS);
  }

  function stop() {
    if (current && current.timer) clearTimeout(current.timer);
    current = null;
  }

  async function poll() {
    if (!current) return;
    const { ticket, secret } = current;
    const response = await fetch(`${API}/qr-logins/${encodeURIComponent(ticket)}`, { headers: { 'X-Login-Secret': secret }, cache: 'no-store' });
    if (!response.ok) throw await failure(response);
    const body = await response.json();
    if (current === null || current.ticket !== ticket) return;
    if (body.jwt) return loggedIn(body.jwt, body.user);
    setStatus(body.status);
    if (body.status === 'pending' || body.status === 'scanned') schedule();
    else current = null;
  }

  async function loggedIn(jwt, user) {
    stop();
    // The tab's session only: close the tab and it is gone.
    sessionStorage.setItem('jwt', jwt);
    $('login').hidden = true;
    $('user').hidden = false;
    $('username').textContent = user.username;
    $('user-id').textContent = String(user.id);
    // The JWT works like any users-permissions JWT.
    const me = await fetch('/api/users/me', { headers: { Authorization: `Bearer ${jwt}` } });
    $('me').textContent = me.ok ? `GET /api/users/me → ${me.status}, id ${(await me.json()).id}` : `GET /api/users/me → ${me.status}`;
  }

  function showError(error) {
    stop();
    setStatus('error', error.message);
  }

  $('refresh').addEventListener('click', () => newCode().catch(showError));
  $('logout').addEventListener('click', () => {
    sessionStorage.removeItem('jwt');
    $('user').hidden = true;
    $('login').hidden = false;
    newCode().catch(showError);
  });
  newCode().catch(showError);
})();
