// The web side of a WeChat browser login (docs/web-logins.md), framework-free: a link to the plugin's authorize
// route, and on the way back the one-time login code exchanged for the JWT. The page's <body> names the app:
// data-app-id (the AppID), and optionally data-api (the Strapi origin; default: this page's origin, or ?api=).
(function () {
  var body = document.body;
  var params = new URLSearchParams(location.search);
  var api = (params.get('api') || body.dataset.api || location.origin).replace(/\/+$/, '');
  var appId = params.get('appId') || body.dataset.appId;
  var base = api + '/api/strapi-wechat-miniprogram-auth/oauth';
  var status = document.getElementById('status');

  function show(text, state) {
    status.textContent = text;
    status.dataset.state = state;
  }

  // This page, without the login's own parameters: where WeChat's login comes back to (it must be allow-listed).
  var back = new URL(location.href);
  back.searchParams.delete('login_code');
  back.searchParams.delete('error');
  back.hash = '';

  document.getElementById('login').addEventListener('click', function () {
    location.href = base + '/' + encodeURIComponent(appId) + '/authorize?redirect=' + encodeURIComponent(back.toString());
  });

  var error = params.get('error');
  var code = params.get('login_code');
  // The code is single use: take it out of the address bar (and the history) at once.
  if (code || error) history.replaceState(null, '', back.toString());
  if (error) {
    show('Login failed: ' + error, 'error');
    return;
  }
  if (!code) return;
  show('Logging in…', 'pending');
  fetch(base + '/exchange', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ code: code }) })
    .then(function (res) {
      return res.json().then(function (answer) {
        if (!res.ok) throw new Error((answer.error && answer.error.message) || 'HTTP ' + res.status);
        return answer;
      });
    })
    .then(function (answer) {
      // A real site keeps the JWT where its API calls find it; the playground keeps it for this tab only.
      sessionStorage.setItem('jwt', answer.jwt);
      var name = (answer.user.wechatUserInfo && answer.user.wechatUserInfo.nickName) || answer.user.username;
      document.getElementById('user-id').textContent = String(answer.user.id);
      show('Logged in as ' + name + ' (user #' + answer.user.id + ')', 'done');
    })
    .catch(function (failure) {
      show('Login failed: ' + failure.message, 'error');
    });
})();
