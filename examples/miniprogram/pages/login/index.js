const { client, phoneCodeFrom, showError } = require('../../api');

Page({
  data: { busy: false },

  onLoad() {
    // A session kept from an earlier launch: straight to the profile (the client logs in again only on a 401).
    if (client.token) wx.redirectTo({ url: '/pages/profile/index' });
  },

  onLogin() {
    this.login({});
  },

  onLoginWithPhone(event) {
    phoneCodeFrom(event).then((phoneCode) => this.login(phoneCode ? { phoneCode } : {}), showError);
  },

  login(params) {
    this.setData({ busy: true });
    client
      .login(params)
      .then((result) => {
        // With a phoneCode: result.phone is { bound: true, ... } or { bound: false, reason, message }; the login stands either way.
        if (result.phone && !result.phone.bound) showError(result.phone);
        wx.redirectTo({ url: '/pages/profile/index' });
      }, showError)
      .then(() => this.setData({ busy: false }));
  },

  onList() {
    wx.navigateTo({ url: '/pages/list/index?public=1' });
  },
});
