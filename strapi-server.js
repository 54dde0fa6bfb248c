'use strict';

// Strapi 4 loads a plugin's server from this file; the TypeScript source is compiled to dist/.
module.exports = require('./dist/strapi-server').default;
