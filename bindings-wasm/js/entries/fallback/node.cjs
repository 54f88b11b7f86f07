'use strict';
// The default engine plus the RSA add-on (dist/signer/), for the `wasm` backend's signatures and verifications.
const nodeCrypto = require('node:crypto');
const { createApi } = require('../../client.cjs');

module.exports = createApi(require('../../default/node/alipay_openapi_wasm.js'), {
  nodeCrypto,
  subtle: nodeCrypto.webcrypto && nodeCrypto.webcrypto.subtle,
  signer: require('../../signer/node/alipay_openapi_wasm_signer.js'),
});
