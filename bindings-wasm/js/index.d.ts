// Types of the package's public API. The shapes (options, results, errors) are declared once, next
// to the code that converts them, in the engine's generated declarations.
import type {
  AlipayError,
  ApiMethod,
  Apis,
  CallOptions,
  Backend,
  Charset,
  ClientOptions,
  ErrorCode,
  ExpectedOrder,
  JsonValue,
  NotifyFields,
  NotifyInput,
  NotifyOptions,
  PendingCertificateChain,
  PendingVerification,
  SignatureCheck,
  PreparedRequest,
  PreparedV3Request,
  NamedStrings,
  ResponseHeaders,
  SignedV3Request,
  V3File,
  V3RequestOptions,
  V3Response,
  RequestOptions,
  SignedRequest,
  SignType,
  VerifiedResponse,
  Amount,
  BeijingDateTime,
  BillDetail,
  Extra,
  TicketCodeSync,
  TicketCodeSyncResult,
  VoucherQuery,
  VoucherQueryResult,
  VoucherSend,
  VoucherSendResult,
  VoucherStatus,
  VoucherStockUse,
  VoucherStockUseResult,
} from './alipay_openapi_wasm.js';

export type {
  AlipayError,
  Amount,
  ApiMethod,
  Apis,
  BeijingDateTime,
  BillDetail,
  CallOptions,
  Extra,
  TicketCodeSync,
  TicketCodeSyncResult,
  VoucherQuery,
  VoucherQueryResult,
  VoucherSend,
  VoucherSendResult,
  VoucherStatus,
  VoucherStockUse,
  VoucherStockUseResult,
  Backend,
  Charset,
  ClientOptions,
  ErrorCode,
  ExpectedOrder,
  JsonValue,
  NotifyFields,
  NotifyInput,
  NotifyOptions,
  PendingCertificateChain,
  PendingVerification,
  SignatureCheck,
  PreparedRequest,
  PreparedV3Request,
  NamedStrings,
  ResponseHeaders,
  SignedV3Request,
  V3File,
  V3RequestOptions,
  V3Response,
  RequestOptions,
  SignedRequest,
  SignType,
  VerifiedResponse,
};

/** A certificate chain waiting for the verdicts on its signatures: `finish` returns `T`. */
export type CertificateChain<T> = Omit<PendingCertificateChain, 'finish' | 'finishOwn'> & {
  finish(verified: boolean[]): T;
  finishOwn(): T;
};

/** A response body as text (decoded in the client charset) or as the exact bytes received. */
export type ResponseBody = string | Uint8Array | ArrayBuffer;

/**
 * A merchant client. Keys are parsed once, here. The host does the HTTP: `sign` returns what to
 * send, `verifyResponse` and `verifyNotification` take what was received. Every failure throws an
 * {@link AlipayError}.
 */
export declare class AlipayClient {
  constructor(options: ClientOptions);
  /** Who computes RSA for this client. */
  readonly backend: Backend;
  readonly signType: SignType;
  readonly charset: Charset;
  /** Fixes a request's parameters without signing: for a signer elsewhere (a server, a KMS). */
  prepare(request: RequestOptions): PreparedRequest;
  /** {@link prepare} for a typed call. */
  prepareCall<M extends ApiMethod>(method: M, fields: Apis[M]['request'], options?: CallOptions): PreparedRequest;
  /** Certificate mode: the SNs of the Alipay certificates this client knows, sorted; else empty. */
  readonly alipayCertSns: string[];
  /**
   * Certificate mode: checks an Alipay certificate chain (PEM: the certificate, then intermediates)
   * against the root bundle at `now` (default: now) and adds its key. Returns its SN.
   */
  addAlipayCertificate(pem: string, now?: Date | number): string;
  addAlipayCertificateAsync(pem: string, now?: Date | number): Promise<string>;
  /**
   * Certificate mode, after `unknown_cert_sn`: takes the body of the
   * `alipay.open.app.alipaycert.download` response (`{ alipay_cert_sn: error.alipayCertSn }`),
   * verifies it, checks the certificate against the root bundle at `now` (default: now) and adds
   * it. Returns its SN; then verify the response that failed again.
   */
  addDownloadedCertificate(body: ResponseBody, now?: Date | number): string;
  addDownloadedCertificateAsync(body: ResponseBody, now?: Date | number): Promise<string>;
  /** Builds and signs a request (backends `node` and `wasm`). */
  sign(request: RequestOptions): SignedRequest;
  /** Builds and signs a request with any backend. */
  signAsync(request: RequestOptions): Promise<SignedRequest>;
  /**
   * Verifies a response to `method` over the exact bytes of its node. Returns the node when its
   * code is `10000`; throws `gateway_error` (verified, with `subCode`/`subMsg`) for other codes and
   * another {@link AlipayError} when the response cannot be trusted.
   */
  verifyResponse<T = { [key: string]: JsonValue }>(method: string, body: ResponseBody): VerifiedResponse<T>;
  verifyResponseAsync<T = { [key: string]: JsonValue }>(method: string, body: ResponseBody): Promise<VerifiedResponse<T>>;
  /**
   * Builds and signs a call of one of the four typed methods: `fields` (camelCase) are checked
   * against the method's reference page first; amounts are strings.
   */
  signCall<M extends ApiMethod>(method: M, fields: Apis[M]['request'], options?: CallOptions): SignedRequest;
  signCallAsync<M extends ApiMethod>(method: M, fields: Apis[M]['request'], options?: CallOptions): Promise<SignedRequest>;
  /**
   * Verifies a response to one of the four typed methods and returns its typed result (camelCase,
   * amounts as two-decimal strings). Throws `gateway_error` with `retryable` when the code is not `10000`.
   */
  parseResponse<M extends ApiMethod>(method: M, body: ResponseBody): Apis[M]['result'];
  parseResponseAsync<M extends ApiMethod>(method: M, body: ResponseBody): Promise<Apis[M]['result']>;
  /**
   * Verifies an asynchronous notification; returns its fields, decoded once. A notification for
   * another `app_id` throws `app_id_mismatch`.
   */
  verifyNotification(input: NotifyInput, options?: NotifyOptions): NotifyFields;
  verifyNotificationAsync(input: NotifyInput, options?: NotifyOptions): Promise<NotifyFields>;
  /**
   * Verifies the query string of a return to `return_url` (raw, with or without its `?`, or the
   * fields a framework decoded once) as notifications are verified. Show it; act on the notification.
   */
  verifyReturn(input: NotifyInput, options?: NotifyOptions): NotifyFields;
  verifyReturnAsync(input: NotifyInput, options?: NotifyOptions): Promise<NotifyFields>;
  /**
   * Verifies the payload a mini program hands over (`my.getPhoneNumber`) over its `response`,
   * decrypts it with the AES key, and returns it (`nodeKey` is `response`) when its code is `10000`.
   */
  verifyMiniProgram(payload: ResponseBody): VerifiedResponse;
  verifyMiniProgramAsync(payload: ResponseBody): Promise<VerifiedResponse>;
  /**
   * The first stage of {@link verifyResponse}, for an RSA of your own (a KMS, an HSM): check
   * `messages` in order with `spki` and `signature`, then call `finish(index)` (or
   * `finish(undefined)` when none verified); `finish` returns what `verifyResponse` returns.
   */
  beginVerifyResponse(method: string, body: ResponseBody): PendingVerification;
  /** The first stage of {@link parseResponse}. */
  beginParseResponse<M extends ApiMethod>(method: M, body: ResponseBody): PendingVerification;
  /** The first stage of {@link verifyNotification}. */
  beginVerifyNotification(input: NotifyInput, options?: NotifyOptions): PendingVerification;
  /** The first stage of {@link verifyReturn}. */
  beginVerifyReturn(input: NotifyInput, options?: NotifyOptions): PendingVerification;
  /** The first stage of {@link verifyMiniProgram}. */
  beginVerifyMiniProgram(payload: ResponseBody): PendingVerification;
  /**
   * The first stage of {@link addAlipayCertificate}: every check but the RSA ones has passed. Verify
   * each of `checks` (one message each, with its own `signType` and `spki`), then call
   * `finish(verdicts)` with one boolean per check; it adds the certificate and returns its SN.
   */
  beginAddAlipayCertificate(pem: string, now?: Date | number): CertificateChain<string>;
  /**
   * The first stage of {@link addDownloadedCertificate}: the chain of the certificate the answer
   * carries, as for {@link beginAddAlipayCertificate}; its `finish` gives the verification of the
   * answer, whose `finish` adds the certificate and returns its SN.
   */
  beginAddDownloadedCertificate(body: ResponseBody, now?: Date | number): CertificateChain<PendingVerification>;
  /** OpenAPI v3: builds and signs a call (backends `node` and `wasm`). */
  signV3(request: V3RequestOptions): SignedV3Request;
  /** OpenAPI v3: builds and signs a call with any backend. */
  signV3Async(request: V3RequestOptions): Promise<SignedV3Request>;
  /** OpenAPI v3: fixes a call for a signer elsewhere (sign `signContentBytes`, then `attachSignature`). */
  prepareV3(request: V3RequestOptions): PreparedV3Request;
  /**
   * OpenAPI v3: verifies an answer (its HTTP status, headers and exact body). A 2xx answer must be
   * signed; 4xx and 5xx answers throw `v3_gateway_error` (unverified, with `httpStatus`, `gatewayCode`,
   * `traceId`).
   */
  verifyV3Response<T = JsonValue>(status: number, headers: ResponseHeaders, body: ResponseBody): V3Response<T>;
  verifyV3ResponseAsync<T = JsonValue>(status: number, headers: ResponseHeaders, body: ResponseBody): Promise<V3Response<T>>;
  /** The first stage of {@link verifyV3Response}. */
  beginVerifyV3Response(status: number, headers: ResponseHeaders, body: ResponseBody): PendingVerification;
}

/** The typed APIs, from the core's table (`name` in snake_case, e.g. `voucher_send`). */
export declare function apis(): { name: string; method: ApiMethod }[];

/** True for the errors this package throws. */
export declare function isAlipayError(error: unknown): error is AlipayError;

/**
 * Holds a verified notification's fields against your order before you act on it: `outTradeNo`,
 * `totalAmountFen` (integer fen) and, when given, `sellerId`. Throws `order_mismatch` naming the
 * field that differs; answer Alipay `success` only when it returns.
 */
export declare function checkOrder(fields: NotifyFields, order: ExpectedOrder): void;

/** The SN of the first certificate in `pem`: `app_cert_sn` of an app certificate, or an Alipay certificate's SN. */
export declare function certSn(pem: string): string;

/** `alipay_root_cert_sn` of a root bundle (`alipayRootCert.crt`). */
export declare function rootCertSn(pem: string): string;

/**
 * Test only, not part of the API: forces a Rust panic inside the engine. It throws an
 * {@link AlipayError} with code `internal_panic`, and the module keeps working.
 * @internal
 */
export declare function __testPanic(): void;
