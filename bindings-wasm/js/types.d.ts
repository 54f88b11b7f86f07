// The shapes of the package's options, results and errors, declared once (the engine includes
// this file in its generated declarations).
/** A JSON value, as `JSON.parse` returns it. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** `RSA2` is SHA256withRSA (recommended); `RSA` is SHA1withRSA (legacy). */
export type SignType = "RSA2" | "RSA";

/** One RSA check a certificate chain needs: does `signature` verify over `messages[0]` under `spki`? */
export interface SignatureCheck {
  /** The hash of this certificate's signature, which need not be the client's. */
  signType: SignType;
  /** The certificate's signed part (one message). */
  messages: Uint8Array[];
  signature: Uint8Array;
  /** The SubjectPublicKeyInfo DER of the issuer's key. */
  spki: Uint8Array;
}

/** The message charset. */
export type Charset = "utf-8" | "GBK";

/** Options of a client, given once. */
export interface ClientOptions {
  /** The APPID. */
  appId: string;
  /**
   * The application private key (PKCS#1 or PKCS#8; PEM or bare base64), needed to sign.
   * It is a secret: never ship it to a browser.
   */
  privateKey?: string;
  /** The Alipay public key (SubjectPublicKeyInfo or PKCS#1; PEM or bare base64), needed to verify. */
  alipayPublicKey?: string;
  /**
   * Public-key-certificate mode (公钥证书模式), instead of `alipayPublicKey`: the three files
   * `appCert`, `alipayCert` and `alipayRootCert`, all given or none. Requests carry `app_cert_sn`
   * and `alipay_root_cert_sn`; a response is verified with the key of the Alipay certificate its
   * `alipay_cert_sn` names.
   */
  /** `appCertPublicKey_<APPID>.crt` (PEM): gives `app_cert_sn`. */
  appCert?: string;
  /** `alipayCertPublicKey_RSA2.crt` (PEM): its key verifies responses (trusted as configured). */
  alipayCert?: string;
  /** `alipayRootCert.crt` (PEM): gives `alipay_root_cert_sn`; certificates added later must chain to it. */
  alipayRootCert?: string;
  /**
   * The AES content-encryption key (接口内容加密), base64 as the console shows it: `biz_content`
   * is encrypted before signing and encrypted responses are decrypted after verifying.
   * It is a secret.
   */
  aesKey?: string;
  /** `RSA2` by default; also the only algorithm accepted on responses and notifications. */
  signType?: SignType;
  /** `utf-8` by default. */
  charset?: Charset;
  /** `production` (default), `sandbox`, or the URL of a gateway such as the local test gateway. */
  gateway?: "production" | "sandbox" | `http://${string}` | `https://${string}`;
  /** ISV token sent with every request unless the request sets its own. */
  appAuthToken?: string;
  /** The `format` parameter: `json` by default; `null` leaves it out. */
  format?: string | null;
  /**
   * The longest response or notification body that is read, in bytes (a positive whole number;
   * 4 MiB by default): a longer one is refused unread with `body_too_large`.
   */
  maxBodyBytes?: number;
  /**
   * Who computes RSA: `node` (node:crypto, the default under Node, Deno and Bun), `webcrypto`
   * (crypto.subtle; asynchronous methods only) or `wasm` (the module's own, everywhere; the default
   * elsewhere). All three give the same signatures.
   */
  crypto?: Backend;
}

/** Who computes RSA for a client. */
export type Backend = "node" | "webcrypto" | "wasm";

/** A call to one gateway method. */
export interface RequestOptions {
  /** The gateway method, e.g. `alipay.marketing.voucher.query`. */
  method: string;
  /** JSON text, signed and sent byte for byte, or an object serialized once with `JSON.stringify`. */
  bizContent?: string | { [key: string]: JsonValue };
  /** More text parameters; an empty value is neither signed nor sent. */
  params?: { [name: string]: string };
  notifyUrl?: string;
  returnUrl?: string;
  /** Overrides the client's `appAuthToken` for this request. */
  appAuthToken?: string;
  /** `1.0` by default. */
  version?: string;
  /** When the request is signed: milliseconds since the epoch, a `Date`, or Beijing time `yyyy-MM-dd HH:mm:ss`. Now by default. */
  timestamp?: number | Date | string;
  /**
   * An upload (e.g. `alipay.offline.material.image.upload`): the body becomes `multipart/form-data`,
   * the text parameters signed as always, the files never. Each needs a `contentType`.
   */
  files?: V3File[];
  /** The upload's boundary: 1 to 70 of `A-Z a-z 0-9 '()+_,-./:=?`; derived from the signature and files by default. */
  multipartBoundary?: string;
  /** The longest file part taken, in bytes: 10485760 (10 MiB) by default. */
  maxFileBytes?: number;
}

/** A signed request, ready for `fetch(url, { method, headers, body })`. The host does the HTTP. */
export interface SignedRequest {
  url: string;
  method: "POST";
  headers: { [name: string]: string };
  /** `application/x-www-form-urlencoded;charset=…`, or with `files` `multipart/form-data; boundary=…`. */
  contentType: string;
  /**
   * The form body (`biz_content` and API parameters), percent-encoded in the request charset; with
   * `files`, the `multipart/form-data` upload as bytes.
   */
  body: string | Uint8Array;
  /** The base64 `sign` value. */
  signature: string;
  /** The canonical text that was signed, for debugging `isv.invalid-signature`. */
  signContent: string;
  /** Every parameter sent, without `sign`. */
  params: { [name: string]: string };
  /** Page/WAP pay: the gateway URL with every parameter and `sign` in the query. */
  pageLink: string;
  /** Page/WAP pay: an HTML form that submits itself, every value HTML-escaped. */
  pageForm: string;
  /** App pay: every parameter and `sign`, form-encoded, without the gateway. */
  orderString: string;
}

/** Named strings: `[name, value]` pairs keep their order; an object's members go in name order. */
export type NamedStrings = [string, string][] | { [name: string]: string };

/** A file of an upload (`multipart/form-data`), v2 `files` or OpenAPI v3's: never signed. */
export interface V3File {
  /** The form field, e.g. `file_content`. */
  field: string;
  fileName: string;
  /** The part's `Content-Type`, e.g. `image/png`; empty: none. */
  contentType?: string;
  content: Uint8Array;
}

/** One OpenAPI v3 call (RSA2 and UTF-8 only). */
export interface V3RequestOptions {
  /** `GET`, `POST`, … */
  httpMethod: string;
  /** The path, e.g. `/v3/alipay/trade/query`, with `{name}` placeholders filled from `pathParams`. */
  path: string;
  /** Values of the path's `{name}` placeholders, percent-encoded. */
  pathParams?: NamedStrings;
  /** Query parameters, sent and signed in the order given. */
  query?: NamedStrings;
  /** JSON text, signed and sent byte for byte, or a value serialized once. */
  body?: string | { [key: string]: JsonValue } | JsonValue[];
  /** `alipay-app-auth-token`; overrides the client's `appAuthToken`. */
  appAuthToken?: string;
  /** `alipay-request-id`: up to 32 of `A-Z a-z 0-9 _ -`; 32 random hex digits by default. Keep it on a retry. */
  requestId?: string;
  /** The auth string's nonce: fresh for every attempt; 32 random hex digits by default. */
  nonce?: string;
  /** Milliseconds since the epoch; now by default. */
  timestamp?: number | Date;
  /** More `key=value` members of the auth string, e.g. `[["expired_seconds", "120"]]`. */
  authInfo?: NamedStrings;
  /** Files: the call becomes a multipart upload whose `data` part is the (signed) body. */
  files?: V3File[];
  /** The multipart boundary (needed with `files`): up to 70 of `A-Z a-z 0-9 '()+_,-./:=?`. */
  multipartBoundary?: string;
}

/** A signed v3 request, ready for `fetch(url, { method, headers, body })`. */
export interface SignedV3Request {
  method: string;
  url: string;
  /** The path and query as signed. */
  pathWithQuery: string;
  headers: { [name: string]: string };
  /** JSON, AES ciphertext text or a multipart body, as bytes. */
  body: Uint8Array;
  /** The base64 signature in the `authorization` header. */
  signature: string;
  signContent: string;
}

/** A 2xx v3 answer whose `alipay-signature` verified (and, if encrypted, that was decrypted). */
export interface V3Response<T = JsonValue> {
  status: number;
  /** The business object as JSON text. */
  body: string;
  /** The body parsed with `JSON.parse`; `null` for an empty body. */
  value: T | null;
  /** `alipay-timestamp` (milliseconds), covered by the signature: refuse answers too old for you. */
  timestamp: number;
  /** `alipay-nonce`, covered by the signature. */
  nonce: string;
  /** `alipay-sn` (certificate mode): chose the key, not signed. */
  alipaySn?: string;
  /** `alipay-trace-id`, for support requests; not signed. */
  traceId?: string;
  wasEncrypted: boolean;
}

/** Response headers: fetch's `Headers`, `[name, value]` pairs, or an object (names without case). */
export type ResponseHeaders = Headers | [string, string][] | { [name: string]: string };

/** A response node whose signature verified and whose code is `10000`. */
export interface VerifiedResponse<T = { [key: string]: JsonValue }> {
  /** `<method>_response`. */
  nodeKey: string;
  /** The node exactly as signed. */
  nodeText: string;
  /** The node, parsed with `JSON.parse`. */
  value: T;
  /** The top-level `alipay_cert_sn` (certificate mode); the signature does not cover it. */
  alipayCertSn?: string;
}

/** A notification as the form body (text or bytes) or as fields a web framework already decoded once. */
export type NotifyInput = string | Uint8Array | ArrayBuffer | { [field: string]: string };

/** How a notification is checked. */
export interface NotifyOptions {
  /** `v1` (rsaCheckV1, the default): `sign_type` is not signed; `v2` (rsaCheckV2): it is. */
  version?: "v1" | "v2";
  /** The charset of a form body that names none; the client's by default. */
  charset?: Charset;
}

/** The fields of a notification whose signature verified. */
export type NotifyFields = { readonly [field: string]: string };

/** The merchant's own record of an order, to hold a verified notification against. */
export interface ExpectedOrder {
  outTradeNo: string;
  /** The amount in fen (1 yuan = 100 fen), a whole number: never a float of yuan. */
  totalAmountFen: number;
  /** The merchant's Alipay account (2088…), when you check it. */
  sellerId?: string;
}

/** Extra options of a typed call. */
export interface CallOptions {
  notifyUrl?: string;
  returnUrl?: string;
  /** Overrides the client's `appAuthToken` for this request. */
  appAuthToken?: string;
  /** When the request is signed; now by default (see {@link RequestOptions.timestamp}). */
  timestamp?: number | Date | string;
}

/** An amount of money in yuan with at most two decimals, e.g. `"9.99"`: never a JS number. */
export type Amount = string;
/** A Beijing date-time `yyyy-MM-dd HH:mm:ss`. */
export type BeijingDateTime = string;
/** Members a typed result does not list, kept as sent (names in camelCase): narrow before use. */
export interface Extra { [member: string]: unknown }

/** `alipay.marketing.voucher.send` (发券): one of `loginId`, `taobaoNick`, `userId` names the user. */
export interface VoucherSend {
  templateId: string;
  loginId?: string;
  taobaoNick?: string;
  userId?: string;
  /** Idempotency key: a retry sends the same one. */
  outBizNo: string;
  amount?: Amount;
  memo?: string;
}
export interface VoucherSendResult extends Extra {
  voucherId: string;
  userId: string | null;
}

/** `alipay.marketing.voucher.query` (券查询). */
export interface VoucherQuery {
  voucherId: string;
}
export type VoucherStatus =
  | "ENABLED" | "DISABLED" | "DELETE" | "TRANS" | "TRANSFER" | "UNC" | "USED" | "USING" | "REFUNDED"
  | "REFUNDING" | "UNACTIVE" | "EXPIRED" | (string & {});
export interface BillDetail extends Extra {
  tradeNo: string | null;
  amount: Amount;
  /** `I` processing, `S` success. */
  status: "I" | "S" | (string & {});
  partnerId: string | null;
  partnerName: string | null;
  /** `null` in older answers, which leave it out. */
  bizType: "V_USE" | "V_REFUND" | (string & {}) | null;
  gmtCreate: BeijingDateTime;
}
/**
 * Only `voucherId` and `status` are always present: real answers also come in an older shape
 * (`voucher_name`, `amount`, no `gmt_create`), so the other fields are `null` when absent.
 */
export interface VoucherQueryResult extends Extra {
  voucherId: string;
  templateId: string | null;
  /** `name`, or the older `voucher_name`. */
  name: string | null;
  userId: string | null;
  status: VoucherStatus;
  /** Face value: `total_amount`, or the older `amount`. */
  totalAmount: Amount | null;
  availableAmount: Amount | null;
  gmtActive: BeijingDateTime | null;
  gmtExpired: BeijingDateTime | null;
  gmtCreate: BeijingDateTime | null;
  extendInfo: string | null;
  billDetails: BillDetail[];
}

/** `alipay.marketing.voucher.stock.use` (券码核销). */
export interface VoucherStockUse {
  entityNo: string;
  /** Idempotency key: a retry sends the same one. */
  outBizNo: string;
}
export interface VoucherStockUseResult extends Extra {
  /** Absent when the code was not redeemed, even though the call succeeded. */
  voucherId: string | null;
}

/** `koubei.trade.ticket.ticketcode.sync` (口碑凭证码同步). */
export interface TicketCodeSync {
  /** Idempotency key: a retry sends the same one. */
  requestId: string;
  ticketCode: string;
  quantity: string;
  orderNo: string;
  codeType?: "INTERNAL_CODE" | "EXTERNAL_CODE";
  gmtBiz?: BeijingDateTime;
  syncShopId?: string;
}
export interface TicketCodeSyncResult extends Extra {
  requestId: string;
  orderNo: string;
  bizCode: string | null;
  /** This `requestId` had been synced before: nothing changed now. */
  idempotentReplay: boolean;
}

/** The four methods with a typed model: request and result of each. */
export interface Apis {
  "alipay.marketing.voucher.send": { request: VoucherSend; result: VoucherSendResult };
  "alipay.marketing.voucher.query": { request: VoucherQuery; result: VoucherQueryResult };
  "alipay.marketing.voucher.stock.use": { request: VoucherStockUse; result: VoucherStockUseResult };
  "koubei.trade.ticket.ticketcode.sync": { request: TicketCodeSync; result: TicketCodeSyncResult };
}
export type ApiMethod = keyof Apis;

/** The stable error codes, equal to the Rust core's `Error::code()`. */
export type ErrorCode =
  | "invalid_key" | "unsupported_key_size" | "invalid_field" | "unencodable_text" | "undecodable_bytes"
  | "unsupported_charset" | "unsupported_sign_type" | "signing_failed" | "rsa_unavailable" | "malformed_response"
  | "response_node_missing" | "duplicate_member" | "missing_signature" | "signature_encoding"
  | "signature_mismatch" | "unsigned_gateway_error" | "gateway_error" | "malformed_notification"
  | "unknown_cert_sn" | "invalid_certificate" | "aes_error" | "app_id_mismatch" | "order_mismatch" | "body_too_large"
  | "v3_gateway_error" | "internal_panic";

/** Every error this package throws from the core: a real `Error` with a stable `code`. */
export interface AlipayError extends Error {
  name: "AlipayError";
  code: ErrorCode;
  /** The field or option at fault, named as the protocol names it (`out_biz_no`, `app_id`). */
  field?: string;
  /** The rule the field broke. */
  rule?: string;
  /** `unencodable_text`, `undecodable_bytes`. */
  charset?: string;
  /** `gateway_error` (verified) and `unsigned_gateway_error` (unverified: show, never act on it). */
  gatewayCode?: string;
  gatewayMsg?: string;
  subCode?: string;
  subMsg?: string;
  /** Gateway answers: whether the answer's signature verified (`false`: show it, never act on it). */
  verified?: boolean;
  /** OpenAPI v3 error answers: the HTTP status and `alipay-trace-id`. */
  httpStatus?: number;
  traceId?: string;
  /** Gateway answers: whether sending the same request again (same idempotency key) is safe and may succeed. */
  retryable?: boolean;
  /** Gateway answers: what the code means and what to do, from the error catalog. */
  description?: string;
  action?: string;
  /** `unknown_cert_sn`: the SN to download with `alipay.open.app.alipaycert.download`. */
  alipayCertSn?: string;
}
