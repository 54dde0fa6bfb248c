const { client } = require('../../api');

Page({
  data: { articles: [], loading: true, error: '', anonymous: false },

  onLoad(query) {
    // From the login page: as the Public role (no JWT, no login); otherwise with the user's JWT.
    this.setData({ anonymous: query.public === '1' });
    this.load();
  },

  onPullDownRefresh() {
    this.load().then(() => wx.stopPullDownRefresh());
  },

  load() {
    this.setData({ loading: true, error: '' });
    // The playground's Article collection type: GET /api/articles?sort[0]=id:asc&pagination[pageSize]=20
    return client.request({ url: '/api/articles', params: { sort: ['id:asc'], pagination: { pageSize: 20 } }, auth: !this.data.anonymous }).then(
      (body) => this.setData({ articles: body.data, loading: false }),
      (error) => this.setData({ error: `${error.status || ''} ${error.name}: ${error.message}`, loading: false })
    );
  },
});
