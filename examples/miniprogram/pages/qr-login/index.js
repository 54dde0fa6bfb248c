// The confirm page of "log in on a website by scanning a mini program code": the code's scene is the login ticket.
const { client, showError } = require('../../api');

Page({
  data: { state: 'loading', browser: null, expiresAt: '', busy: false },

  onLoad(query) {
    // WeChat passes the code's scene URL-encoded.
    this.ticket = decodeURIComponent(query.scene || '');
    if (!this.ticket) {
      this.setData({ state: 'error', message: '没有登录码 No login code: scan the code on the website' });
      return;
    }
    // Logs in first when there is no session; answers which browser asked, to show before the user confirms.
    client.qrLogin.scan(this.ticket).then(
      ({ browser, expiresAt }) =>
        this.setData({
          state: 'scanned',
          browser: Object.assign({}, browser, { requestedAt: localTime(browser.requestedAt) }),
          expiresAt: localTime(expiresAt),
        }),
      (error) => this.fail(error)
    );
  },

  onConfirm() {
    this.act('confirm', 'confirmed');
  },

  onCancel() {
    this.act('cancel', 'cancelled');
  },

  act(action, state) {
    this.setData({ busy: true });
    client.qrLogin[action](this.ticket)
      .then(
        () => this.setData({ state }),
        (error) => this.fail(error)
      )
      .then(() => this.setData({ busy: false }));
  },

  fail(error) {
    // 410: expired; 409: used, or scanned by someone else; 404: unknown.
    this.setData({ state: 'error', message: (error && error.message) || String(error) });
    showError(error);
  },

  onDone() {
    wx.reLaunch({ url: '/pages/login/index' });
  },
});

function localTime(iso) {
  const date = new Date(iso);
  const pad = (n) => (n < 10 ? `0${n}` : String(n));
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}
