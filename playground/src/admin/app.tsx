// The admin UI languages besides English: the plugin ships zh-Hans and fr translations.
// Each admin picks one under their profile (top-left menu → Profile → Interface language).
export default {
  config: {
    locales: ['zh-Hans', 'fr'],
  },
  bootstrap() {},
};
