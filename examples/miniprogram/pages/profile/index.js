const { client, phoneCodeFrom, showError, absoluteUrl } = require('../../api');

Page({
  data: { user: null, avatarUrl: '', avatarTempFilePath: '', nickName: '', phone: null, saving: false },

  onShow() {
    if (!client.token) return wx.redirectTo({ url: '/pages/login/index' });
    this.setData({ user: client.user });
    // GET /profile; a 401 (expired JWT) makes the client log in again and retry, unseen here.
    client.getProfile().then((profile) => this.show(profile), showError);
  },

  show(profile) {
    this.setData({
      nickName: profile.nickName || '',
      avatarUrl: absoluteUrl(profile.avatar && profile.avatar.url),
      avatarTempFilePath: '',
      phone: profile.phone,
    });
  },

  onChooseAvatar(event) {
    // Shown at once, uploaded with the nickname on Save.
    this.setData({ avatarUrl: event.detail.avatarUrl, avatarTempFilePath: event.detail.avatarUrl });
  },

  onSave(event) {
    const nickName = event.detail.value.nickName;
    const avatarTempFilePath = this.data.avatarTempFilePath || undefined;
    this.setData({ saving: true });
    // With an avatar: wx.uploadFile (multipart, nickName as a form field); the nickname alone: a JSON PUT.
    client
      .updateProfile({ avatarTempFilePath, nickName })
      .then((profile) => {
        this.show(profile);
        wx.showToast({ title: '已保存 Saved' });
      }, showError) // 422: WeChat's content security refused the nickname (error.details.messageZh in Chinese)
      .then(() => this.setData({ saving: false }));
  },

  onBindPhone(event) {
    phoneCodeFrom(event)
      .then((code) => {
        if (!code) return null; // the user declined
        return client.bindPhone(code).then(() => client.getProfile().then((profile) => this.show(profile)));
      })
      .catch(showError); // 400 invalid_code: tap the button again
  },

  onList() {
    wx.navigateTo({ url: '/pages/list/index' });
  },

  onLogout() {
    client.logout();
    wx.redirectTo({ url: '/pages/login/index' });
  },
});
