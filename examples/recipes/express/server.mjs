// The merchant server in Express 5: ALIPAY_GATEWAY=<url> [PORT=3000] [PUBLIC_URL=...] node express/server.mjs
import express from 'express';

import { settings, Shop } from '../shop.mjs';

const config = settings();
const shop = new Shop(config);
const app = express();

app.post('/vouchers', express.json(), async (req, res) => {
  res.status(201).json(await shop.sendVoucher(req.body));
});
app.post('/vouchers/:id/redeem', express.json(), async (req, res) => {
  res.json(await shop.redeemVoucher(req.params.id, req.body));
});
app.post('/orders', express.json(), (req, res) => {
  res.status(201).json(shop.createOrder(req.body));
});
app.get('/orders/:id', (req, res) => {
  res.json(shop.order(req.params.id));
});
app.get('/alipay/return', (req, res) => {
  const page = shop.returnPage(new URL(req.originalUrl, 'http://x').search);
  res.status(page.status).type('html').send(page.html);
});
// The signature covers the fields as Alipay percent-encoded them, in the charset it names: hand
// the library the raw bytes and let it decode them once. (express.urlencoded decodes too, in UTF-8
// only; its req.body could be passed as is, but must never be decoded a second time.)
app.post('/alipay/notify', express.raw({ type: 'application/x-www-form-urlencoded' }), (req, res) => {
  res.type('text').send(shop.notify(req.body ?? new Uint8Array()));
});
app.use((error, req, res, next) => {
  const { status, body } = Shop.answer(error);
  res.status(status).json(body);
});

const server = app.listen(config.port, '127.0.0.1', () => shop.listening(server.address().port));
