'use strict';

/**
 * What-if, for measuring only (never loaded by the plugin): jsonwebtoken receives the
 * users-permissions secret as a KeyObject instead of a string. With a string, jsonwebtoken 9
 * first tries createPrivateKey(secret), which fails (it is no PEM key) and costs about 0.6 ms
 * (idle) to well over 1 ms (under load) per token under OpenSSL 3; the tokens are byte-identical.
 *   BENCH_NODE_FLAGS="-r ./bench/what-if/jwt-key-object.js" node bench/run.js --only=returning
 */
const path = require('path');
const { createSecretKey } = require('crypto');

const jwt = require(require.resolve('jsonwebtoken', { paths: [path.dirname(require.resolve('@strapi/plugin-users-permissions/package.json'))] }));
const sign = jwt.sign;
const keys = new Map();
jwt.sign = function signWithKeyObject(payload, secret, options, callback) {
  if (typeof secret === 'string') {
    if (!keys.has(secret)) keys.set(secret, createSecretKey(Buffer.from(secret)));
    return sign.call(this, payload, keys.get(secret), options, callback);
  }
  return sign.call(this, payload, secret, options, callback);
};
