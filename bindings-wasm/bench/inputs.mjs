// The request and response both benchmarks time, from the conformance vectors (Node only).
import { createPrivateKey, createPublicKey } from 'node:crypto';

import { APP_ID, alipayKey, appKey, vectors } from '../test/support.mjs';

export const bizContent = {
  template_id: '20140601000730010040000000EB',
  user_id: '2088302001456115',
  out_biz_no: '2016122814164328aadaee_1aee_4',
  memo: '优酷3个月兑换券',
};
export const request = { method: 'alipay.marketing.voucher.send', bizContent: JSON.stringify(bizContent) };
export const response = vectors('responses').find((c) => c.id === 'resp-001').inputs;
export const responseKey = 'alipay_marketing_voucher_send_response';
/** The signed node of the response, as it stands in the body. */
export const nodeText = response.body.slice(responseKey.length + 4, response.body.indexOf(',"sign"'));

/** What `compareWebCrypto` (webcrypto.mjs) takes, as JSON, so that a page can receive it. */
export function webCryptoInputs() {
  const der = (keyObject, type) => keyObject.export({ format: 'der', type }).toString('base64');
  return {
    appId: APP_ID,
    appKey: appKey(),
    alipayKey: alipayKey(),
    pkcs8: der(createPrivateKey(appKey()), 'pkcs8'),
    spki: der(createPublicKey(alipayKey()), 'spki'),
    request,
    method: response.method,
    body: response.body,
    node: nodeText,
  };
}
