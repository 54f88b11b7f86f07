// The merchant behind the Express and Hono recipes: its Alipay client, its orders (in memory), and
// what it does with each request. The framework files only route, and hand over the exact bytes
// Alipay sent; the library does every protocol step (signing, links, verification, order checks).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { AlipayClient, checkOrder, isAlipayError } from 'alipay-openapi';

// The repository's test keys, which the local test gateway knows. Real keys come from your
// secret store, never from a file in the repository.
const testKey = (name) => readFileSync(new URL(`../../tests/vectors/keys/${name}`, import.meta.url), 'utf8');
const PAID = new Set(['TRADE_SUCCESS', 'TRADE_FINISHED']);

export class HttpError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function settings(env = process.env) {
  if (!env.ALIPAY_GATEWAY) throw new Error('set ALIPAY_GATEWAY to the gateway URL (e.g. the local test gateway)');
  return {
    gateway: env.ALIPAY_GATEWAY,
    port: Number(env.PORT ?? 3000),
    publicUrl: env.PUBLIC_URL, // where Alipay and the browser reach this server; defaults to the bound address
    appId: env.ALIPAY_APP_ID ?? '2021000000000001',
    privateKey: env.ALIPAY_APP_PRIVATE_KEY ?? testKey('app_2048.private.pkcs1.pem'),
    alipayPublicKey: env.ALIPAY_PUBLIC_KEY ?? testKey('alipay_2048.public.spki.pem'),
  };
}

/** `8888` fen as the gateway's `"88.88"`: integer arithmetic only. */
const yuan = (fen) => `${Math.trunc(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;

export class Shop {
  #client;
  #orders = new Map();

  constructor({ gateway, publicUrl, appId, privateKey, alipayPublicKey }) {
    this.#client = new AlipayClient({ appId, privateKey, alipayPublicKey, gateway });
    this.publicUrl = publicUrl;
  }

  /** Call once the server is bound: fixes the public URL and prints the line the tests read. */
  listening(port) {
    this.publicUrl ??= `http://127.0.0.1:${port}`;
    console.log(`listening on http://127.0.0.1:${port}`);
  }

  async #call(method, fields) {
    const signed = this.#client.signCall(method, fields);
    const reply = await fetch(signed.url, { method: signed.method, headers: signed.headers, body: signed.body });
    return this.#client.parseResponse(method, new Uint8Array(await reply.arrayBuffer()));
  }

  async sendVoucher({ template_id: templateId, user_id: userId, out_biz_no: outBizNo }) {
    const sent = await this.#call('alipay.marketing.voucher.send', { templateId, userId, outBizNo });
    return { voucher_id: sent.voucherId };
  }

  async redeemVoucher(voucherId, { code, out_biz_no: outBizNo }) {
    const used = await this.#call('alipay.marketing.voucher.stock.use', { entityNo: code, outBizNo });
    if (used.voucherId !== voucherId) throw new HttpError(409, 'VOUCHER_MISMATCH', `code ${code} belongs to another voucher`);
    return { voucher_id: used.voucherId, redeemed: true };
  }

  createOrder({ total_amount_fen: fen, subject }) {
    if (!Number.isSafeInteger(fen) || fen <= 0) throw new HttpError(400, 'INVALID_AMOUNT', 'total_amount_fen: a positive whole number of fen');
    const order = { out_trade_no: randomUUID().replaceAll('-', ''), total_amount_fen: fen, subject, status: 'pending', trade_no: null, notifications: 0, paid_count: 0 };
    const bizContent = { out_trade_no: order.out_trade_no, total_amount: yuan(fen), subject };
    const notifyUrl = `${this.publicUrl}/alipay/notify`;
    const page = this.#client.sign({
      method: 'alipay.trade.page.pay',
      bizContent: { ...bizContent, product_code: 'FAST_INSTANT_TRADE_PAY' },
      returnUrl: `${this.publicUrl}/alipay/return`,
      notifyUrl,
    });
    const app = this.#client.sign({ method: 'alipay.trade.app.pay', bizContent: { ...bizContent, product_code: 'QUICK_MSECURITY_PAY' }, notifyUrl });
    this.#orders.set(order.out_trade_no, order);
    return { ...order, page_link: page.pageLink, order_string: app.orderString };
  }

  order(outTradeNo) {
    const order = this.#orders.get(outTradeNo);
    if (!order) throw new HttpError(404, 'ORDER_NOT_FOUND', `no order ${outTradeNo}`);
    return order;
  }

  #expected(order) {
    return { outTradeNo: order.out_trade_no, totalAmountFen: order.total_amount_fen };
  }

  /** The page the browser comes back to. The query only says what to display: the notification pays. */
  returnPage(query) {
    let order;
    try {
      const fields = this.#client.verifyReturn(query);
      order = this.order(fields.out_trade_no);
      checkOrder(fields, this.#expected(order));
    } catch (error) {
      if (!isAlipayError(error) && !(error instanceof HttpError)) throw error;
      return { status: 400, html: '<!doctype html><title>Payment</title><p id="status">not verified</p>' };
    }
    const status = order.status === 'paid' ? 'paid' : 'pending';
    return { status: 200, html: `<!doctype html><title>Order ${order.out_trade_no}</title><p>Order ${order.out_trade_no}: <strong id="status">${status}</strong></p>` };
  }

  /** The answer to a notification: `success` only once it verified and matched the order. */
  notify(body) {
    try {
      const fields = this.#client.verifyNotification(body);
      const order = this.order(fields.out_trade_no);
      checkOrder(fields, this.#expected(order));
      order.notifications += 1;
      if (PAID.has(fields.trade_status) && order.status !== 'paid') {
        Object.assign(order, { status: 'paid', trade_no: fields.trade_no, paid_count: order.paid_count + 1 });
      }
      return 'success';
    } catch (error) {
      if (!isAlipayError(error) && !(error instanceof HttpError)) throw error;
      return 'failure';
    }
  }

  /** An error as the JSON answer and status this API gives it. */
  static answer(error) {
    if (error instanceof HttpError) return { status: error.status, body: { code: error.code, message: error.message } };
    if (error instanceof SyntaxError) return { status: 400, body: { code: 'INVALID_JSON', message: 'the body is not JSON' } };
    if (isAlipayError(error) && error.code === 'gateway_error') {
      return { status: 422, body: { code: error.subCode ?? error.gatewayCode, message: error.subMsg ?? error.gatewayMsg } };
    }
    if (isAlipayError(error) && error.code === 'invalid_field') return { status: 400, body: { code: error.code, message: error.message } };
    return { status: 502, body: { code: isAlipayError(error) ? error.code : 'upstream_error', message: 'the gateway could not be reached or verified' } };
  }
}
