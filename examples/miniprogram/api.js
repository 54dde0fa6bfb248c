// The one client of this mini program (strapi-wechat-miniprogram-auth-client, through "构建 npm").
const { createClient } = require('strapi-wechat-miniprogram-auth-client');
const config = require('./config');

/** A POST to one of the simulator's control endpoints (development only). */
function simulatorPost(path, data) {
  return new Promise((resolve, reject) => {
    wx.request({
      url: `${config.SIMULATOR_URL}${path}`,
      method: 'POST',
      data: Object.assign({ appid: config.APP_ID, user: config.SIMULATOR_USER }, data),
      success: (res) => (res.statusCode === 200 && res.data.code ? resolve(res.data.code) : reject(new Error(`simulator: ${JSON.stringify(res.data)}`))),
      fail: (err) => reject(new Error(err.errMsg)),
    });
  });
}

// wx itself, except that with the simulator wx.login's code comes from the simulator (POST /__sim/code is a wx.login
// there: it renews the user's session key too).
const platform = {
  login: (options) =>
    config.SIMULATOR_URL
      ? simulatorPost('/__sim/code').then(
          (code) => options.success({ code, errMsg: 'login:ok' }),
          (error) => options.fail({ errMsg: `login:fail ${error.message}` })
        )
      : wx.login(options),
  request: (options) => wx.request(options),
  uploadFile: (options) => wx.uploadFile(options),
  getStorageSync: (key) => wx.getStorageSync(key),
  setStorageSync: (key, value) => wx.setStorageSync(key, value),
  removeStorageSync: (key) => wx.removeStorageSync(key),
};

const client = createClient({ baseURL: config.STRAPI_URL, appId: config.APP_ID, platform });

/**
 * The code of a getPhoneNumber button, or null when the user declined. With the simulator, a phone code from the
 * simulator instead (DevTools' codes are unknown to it; an unverified AppID gets none at all).
 */
function phoneCodeFrom(event) {
  if (config.SIMULATOR_URL) return simulatorPost('/__sim/phone-code');
  return Promise.resolve(event.detail.code || null);
}

/** A toast with what went wrong (a StrapiError's message, a network failure...). */
function showError(error) {
  wx.showToast({ icon: 'none', title: (error && error.message) || String(error), duration: 3000 });
}

/** A URL the <image> can load: the local upload provider answers paths (/uploads/...), S3, OSS, COS full URLs. */
function absoluteUrl(url) {
  return url && url.charAt(0) === '/' ? config.STRAPI_URL + url : url || '';
}

module.exports = { client, phoneCodeFrom, showError, absoluteUrl };
