// Type-checked with `tsc --strict` by package.test.mjs: a program using the package as users do.
// Each `@ts-expect-error` line must be an error, so the declarations are checked both ways.
import { AlipayClient, isAlipayError } from 'alipay-openapi';
import type {
  AlipayError,
  NotifyFields,
  PendingVerification,
  SignatureCheck,
  SignedRequest,
  VerifiedResponse,
  VoucherQueryResult,
} from 'alipay-openapi';
import init, { AlipayClient as WebClient } from 'alipay-openapi/web';

const client = new AlipayClient({
  appId: '2021000000000001',
  privateKey: '-----BEGIN PRIVATE KEY-----...',
  alipayPublicKey: 'MIIBIjANBgkq...',
  signType: 'RSA2',
  charset: 'utf-8',
  gateway: 'http://127.0.0.1:8080/gateway.do',
  crypto: 'node',
});

const signed: SignedRequest = client.sign({ method: 'alipay.trade.query', bizContent: { out_trade_no: '1' }, timestamp: new Date() });
const init2: { method: string; headers: { [name: string]: string }; body: string | Uint8Array } = signed;
void init2;
const upload: SignedRequest = client.sign({
  method: 'alipay.offline.material.image.upload',
  params: { image_type: 'jpg', image_name: 'logo' },
  files: [{ field: 'image_content', fileName: 'logo.jpg', contentType: 'image/jpeg', content: new Uint8Array(4) }],
  multipartBoundary: 'b',
  maxFileBytes: 1024,
});
const uploadType: string = upload.contentType;
void uploadType;
// @ts-expect-error the size limit is a number of bytes
client.sign({ method: 'm', files: [], maxFileBytes: '1024' });
const browser: { pageLink: string; pageForm: string; orderString: string } = signed;
void browser;
// @ts-expect-error the page link is text, not a URL object
const asUrl: URL = signed.pageLink;
void asUrl;

const call = client.signCall('alipay.marketing.voucher.send', { templateId: 't', outBizNo: 'o', amount: '9.99', userId: 'u' });
void call.url;
// @ts-expect-error amounts are strings, never numbers
client.signCall('alipay.marketing.voucher.send', { templateId: 't', outBizNo: 'o', amount: 9.99 });
// @ts-expect-error the typed path knows four methods only
client.signCall('alipay.trade.query', {});
// @ts-expect-error a misspelt option
new AlipayClient({ appId: 'x', alipayPublickey: 'y' });
// @ts-expect-error sign types are RSA2 and RSA
new AlipayClient({ appId: 'x', signType: 'RSA256' });

const voucher: VoucherQueryResult = client.parseResponse('alipay.marketing.voucher.query', new Uint8Array());
const available: string | null = voucher.availableAmount;
const firstBill: string | null | undefined = voucher.billDetails[0]?.bizType;
// @ts-expect-error an older answer may leave the face value out
const total: string = voucher.totalAmount;
void total;
void available;
void firstBill;

async function flow(): Promise<void> {
  const verified: VerifiedResponse = await client.verifyResponseAsync('alipay.trade.query', new ArrayBuffer(0));
  const text: string = verified.nodeText;
  const fields: NotifyFields = client.verifyNotification({ notify_id: '1', sign: 's' }, { version: 'v1' });
  const status: string | undefined = fields['trade_status'];
  const back: NotifyFields = client.verifyReturn('out_trade_no=1&sign=s', { charset: 'utf-8' });
  const backAsync: NotifyFields = await client.verifyReturnAsync(new Uint8Array(), { version: 'v1' });
  client.beginVerifyReturn({ out_trade_no: '1' }).free();
  void back;
  void backAsync;
  const phone: VerifiedResponse = await client.verifyMiniProgramAsync('{"response":"x","sign":"s"}');
  const mobile: unknown = phone.value['mobile'];
  void mobile;
  // @ts-expect-error a payload is text or bytes, not an object
  client.verifyMiniProgram({ response: 'x' });
  void text;
  void status;
  try {
    client.verifyResponse('alipay.trade.query', '{}');
  } catch (error) {
    if (isAlipayError(error)) {
      const e: AlipayError = error;
      const code: 'gateway_error' | string = e.code;
      const retry: boolean | undefined = e.retryable;
      void code;
      void retry;
    }
  }
  await init();
  const web = new WebClient({ appId: 'x', crypto: 'webcrypto' });
  const prepared = web.prepare({ method: 'alipay.trade.query' });
  const bytes: Uint8Array = prepared.signContentBytes;
  void bytes;
}
void flow;

// Certificate mode and AES: the options, the SN helpers, and the rotation path.
import { certSn, rootCertSn } from 'alipay-openapi';
const certificates = { appCert: 'PEM', alipayCert: 'PEM', alipayRootCert: 'PEM' };
const certClient = new AlipayClient({ appId: 'x', privateKey: 'k', ...certificates, aesKey: 'base64' });
const sns: string[] = certClient.alipayCertSns;
const added: string = certClient.addDownloadedCertificate(new Uint8Array(), Date.now()) + certClient.addAlipayCertificate('PEM', new Date());
const rootSn: string = certSn('PEM') + rootCertSn('PEM');
void sns, added, rootSn;
// The staged additions, for an RSA of one's own: one boolean per check of the chain.
const chain = certClient.beginAddAlipayCertificate('PEM', Date.now());
const chainChecks: SignatureCheck[] = chain.checks;
const stagedSn: string = chain.finish(chainChecks.map((check) => check.signType === 'RSA' && check.messages.length === 1));
const downloadAnswer: PendingVerification = certClient.beginAddDownloadedCertificate(new Uint8Array()).finish([]);
const asyncSn: Promise<string> = certClient.addAlipayCertificateAsync('PEM');
// @ts-expect-error the verdicts on a chain are booleans, one per check
certClient.beginAddAlipayCertificate('PEM').finish(0);
void stagedSn, downloadAnswer, asyncSn;
function onError(error: AlipayError): string | undefined {
  return error.code === 'unknown_cert_sn' || error.code === 'internal_panic' ? error.alipayCertSn : undefined;
}
void onError;
// @ts-expect-error a certificate is PEM text
new AlipayClient({ appId: 'x', appCert: new Uint8Array(4) });
// @ts-expect-error the AES key is base64 text
new AlipayClient({ appId: 'x', aesKey: new Uint8Array(16) });

// OpenAPI v3: options, the signed request for fetch, the verified answer and its error details.
import type { SignedV3Request, V3Response } from 'alipay-openapi';
const v3Client = new AlipayClient({ appId: 'x', privateKey: 'k', alipayPublicKey: 'k' });
const v3Signed: SignedV3Request = v3Client.signV3({
  httpMethod: 'POST',
  path: '/v3/alipay/trade/query',
  query: [['a', '1']],
  body: { out_trade_no: 'T1' },
  files: [{ field: 'file_content', fileName: 'a.png', contentType: 'image/png', content: new Uint8Array(1) }],
  multipartBoundary: 'b',
});
const v3Body: Uint8Array = v3Signed.body;
const v3Answer: V3Response<{ trade_no: string }> = v3Client.verifyV3Response(200, new Headers(), new Uint8Array());
const tradeNo: string | undefined = v3Answer.value?.trade_no;
const v3Prepared = v3Client.prepareV3({ httpMethod: 'GET', path: '/v3/x' });
const v3Again: Promise<SignedV3Request> = v3Client.signV3Async({ httpMethod: 'GET', path: '/v3/x', timestamp: new Date() });
void v3Body, tradeNo, v3Prepared.attachSignature(new Uint8Array(256)), v3Again;
function onV3Error(error: AlipayError): number | undefined {
  return error.code === 'v3_gateway_error' ? error.httpStatus : undefined;
}
void onV3Error;
// @ts-expect-error the HTTP method is required
v3Client.signV3({ path: '/v3/x' });

// Holding a notification against the merchant's order: the amount in integer fen.
import { checkOrder } from 'alipay-openapi';
checkOrder({ out_trade_no: 'T1', total_amount: '9.99' }, { outTradeNo: 'T1', totalAmountFen: 999, sellerId: '2088' });
// @ts-expect-error the amount is integer fen, not a string of yuan
checkOrder({}, { outTradeNo: 'T1', totalAmountFen: '9.99' });

// The fallback's web entry initializes the engine and the signing add-on.
import initFallback, { initSync as initFallbackSync, AlipayClient as FallbackClient } from 'alipay-openapi/fallback/web';
async function fallbackFlow(engine: ArrayBuffer, signer: ArrayBuffer): Promise<void> {
  await initFallback();
  await initFallback({ engine: { module_or_path: engine }, signer: { module_or_path: signer } });
  initFallbackSync({ engine: { module: engine }, signer: { module: signer } });
  const signed = new FallbackClient({ appId: 'x', crypto: 'wasm' }).sign({ method: 'alipay.trade.query' });
  void signed.signature;
}
void fallbackFlow;
