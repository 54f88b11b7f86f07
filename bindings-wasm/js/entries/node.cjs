'use strict';
const nodeCrypto = require('node:crypto');
const { createApi } = require('../../client.cjs');

module.exports = createApi(require('./alipay_openapi_wasm.js'), {
  nodeCrypto,
  subtle: nodeCrypto.webcrypto && nodeCrypto.webcrypto.subtle,
});
