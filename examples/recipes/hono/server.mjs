// The merchant server in Hono on Node: ALIPAY_GATEWAY=<url> [PORT=3000] [PUBLIC_URL=...] node hono/server.mjs
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

import { settings, Shop } from '../shop.mjs';

const config = settings();
const shop = new Shop(config);
const app = new Hono();

app.post('/vouchers', async (c) => c.json(await shop.sendVoucher(await c.req.json()), 201));
app.post('/vouchers/:id/redeem', async (c) => c.json(await shop.redeemVoucher(c.req.param('id'), await c.req.json())));
app.post('/orders', async (c) => c.json(shop.createOrder(await c.req.json()), 201));
app.get('/orders/:id', (c) => c.json(shop.order(c.req.param('id'))));
app.get('/alipay/return', (c) => {
  const page = shop.returnPage(new URL(c.req.url).search);
  return c.html(page.html, page.status);
});
// The raw bytes, not c.req.parseBody(): that decodes as UTF-8 whatever charset the notification
// names, and the library must be the one place that decodes the fields (once).
app.post('/alipay/notify', async (c) => c.text(shop.notify(new Uint8Array(await c.req.arrayBuffer()))));
app.onError((error, c) => {
  const { status, body } = Shop.answer(error);
  return c.json(body, status);
});

serve({ fetch: app.fetch, hostname: '127.0.0.1', port: config.port }, (info) => shop.listening(info.port));
