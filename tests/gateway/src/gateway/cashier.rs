//! The local cashier: page and WAP pay links and forms open a trade and show an HTML page with a
//! pay button; paying redirects the browser to `return_url` with signed parameters and starts the
//! `trade_status_sync` notification. App-pay order strings are paid through a test endpoint. Every
//! page says that this is a local test gateway, not Alipay.

use alipay_openapi::{form_encode, Charset, NotifyParams, SignType, Signer as _};
use base64::Engine as _;
use serde_json::json;

use super::{reject, Answer, Checked, Code, Gateway, Rejection, Signing};
use crate::notify_delivery::Delivery;
use crate::store::Failure;
use crate::trade::{self, Trade, APP_PAY, BUYER_ID, PAGE_PAY, WAP_PAY};
use crate::wire::{read_params, Params};

/// Where the cashier page's pay button posts.
pub(crate) const PAY_PATH: &str = "/cashier/pay";

/// A paid trade's answer to the browser or test, and the notification to deliver, if any.
pub(crate) struct Paid {
    pub answer: Answer,
    pub delivery: Option<Delivery>,
}

impl Gateway {
    /// `alipay.trade.page.pay` / `alipay.trade.wap.pay` from a link or a form: the checks every
    /// call gets, then the trade, then the cashier page (or an error page).
    pub(super) fn cashier(&self, params: &Params) -> Answer {
        let (checked, signing) = match self.admit(params, &self.gateway_methods()) {
            Ok(admitted) => admitted,
            Err((rejection, _)) => return error_page(&rejection),
        };
        match self.open(&checked, signing, params) {
            Ok(trade) => page(200, "收银台 Cashier", &cashier_body(&trade)),
            Err(rejection) => error_page(&rejection),
        }
    }

    fn open(&self, checked: &Checked<'_>, signing: Signing, params: &Params) -> Result<Trade, Rejection> {
        let urls = (params.get("notify_url"), params.get("return_url"));
        let new =
            trade::new_trade(checked.method, checked.biz_content.as_deref(), signing.charset, signing.sign_type, urls)
                .map_err(business)?;
        self.store.open_trade(&new, self.clock.now()).map_err(business)
    }

    /// The pay button: `body` is the page's form (`trade_no=…`).
    pub(crate) fn pay(&self, body: &[u8]) -> Paid {
        let form = read_params(b"", body);
        let Some(trade_no) = form.get("trade_no") else {
            let missing = reject(Code::MissingArguments, "isv.missing-parameter", "缺少trade_no");
            return Paid { answer: error_page(&missing), delivery: None };
        };
        let (trade, first) = match self.store.pay_trade(trade_no, self.clock.now()).map_err(business) {
            Ok(paid) => paid,
            Err(rejection) => return Paid { answer: error_page(&rejection), delivery: None },
        };
        let delivery = if first { self.delivery(&trade) } else { None };
        let answer = match trade.return_url.as_deref().map(|url| self.return_location(&trade, url)) {
            Some(Ok(location)) => Answer {
                status: 302,
                content_type: "text/html;charset=utf-8".to_owned(),
                location: Some(location),
                body: Vec::new(),
            },
            Some(Err(rejection)) => error_page(&rejection),
            None => page(200, "已支付 Paid", &paid_body(&trade)),
        };
        Paid { answer, delivery }
    }

    /// `POST /test/app-pay`: an `alipay.trade.app.pay` order string, checked, opened and paid at
    /// once, answered as JSON.
    pub(crate) fn app_pay(&self, order_string: &[u8]) -> Paid {
        let params = read_params(order_string, b"");
        let paid =
            self.admit(&params, &[APP_PAY]).map_err(|(rejection, _)| rejection).and_then(|(checked, signing)| {
                let trade = self.open(&checked, signing, &params)?;
                self.store.pay_trade(&trade.trade_no, self.clock.now()).map_err(business)
            });
        match paid {
            Ok((trade, first)) => {
                let body = json!({
                    "trade_no": trade.trade_no,
                    "out_trade_no": trade.out_trade_no,
                    "trade_status": trade.status,
                    "total_amount": trade.total_amount(),
                    "note": "paid at a local test gateway, not Alipay",
                });
                let delivery = if first { self.delivery(&trade) } else { None };
                Paid { answer: json_answer(200, &body), delivery }
            }
            Err(rejection) => {
                let (code, msg) = rejection.code.code_and_msg();
                let body =
                    json!({"code": code, "msg": msg, "sub_code": rejection.sub_code, "sub_msg": rejection.sub_msg});
                Paid { answer: json_answer(400, &body), delivery: None }
            }
        }
    }

    /// `return_url` with the signed return parameters appended to its query.
    fn return_location(&self, trade: &Trade, return_url: &str) -> Result<String, Rejection> {
        let method =
            if trade.method == WAP_PAY { "alipay.trade.wap.pay.return" } else { "alipay.trade.page.pay.return" };
        let fields = vec![
            ("app_id", self.app_id.clone()),
            ("auth_app_id", self.app_id.clone()),
            ("charset", trade.charset.clone()),
            ("method", method.to_owned()),
            ("out_trade_no", trade.out_trade_no.clone()),
            ("seller_id", self.partner.id.clone()),
            ("sign_type", trade.sign_type.clone()),
            ("timestamp", self.clock.now().to_string()),
            ("total_amount", trade.total_amount()),
            ("trade_no", trade.trade_no.clone()),
            ("version", "1.0".to_owned()),
        ];
        let (_, query) = self.signed_form(trade, fields).map_err(|_| unavailable())?;
        let separator = if return_url.contains('?') { '&' } else { '?' };
        Ok(format!("{return_url}{separator}{query}"))
    }

    /// The signed `trade_status_sync` notification of a trade just paid, if it has a `notify_url`.
    fn delivery(&self, trade: &Trade) -> Option<Delivery> {
        let url = trade.notify_url.clone()?;
        let notify_id = trade.notify_id.clone()?;
        let paid = trade.gmt_payment?.to_string();
        let fields = vec![
            ("app_id", self.app_id.clone()),
            ("auth_app_id", self.app_id.clone()),
            ("buyer_id", BUYER_ID.to_owned()),
            ("buyer_pay_amount", trade.total_amount()),
            ("charset", trade.charset.clone()),
            ("gmt_create", trade.gmt_create.to_string()),
            ("gmt_payment", paid),
            ("invoice_amount", trade.total_amount()),
            ("notify_id", notify_id.clone()),
            ("notify_time", self.clock.now().to_string()),
            ("notify_type", "trade_status_sync".to_owned()),
            ("out_trade_no", trade.out_trade_no.clone()),
            ("receipt_amount", trade.total_amount()),
            ("seller_id", self.partner.id.clone()),
            ("sign_type", trade.sign_type.clone()),
            ("subject", trade.subject.clone()),
            ("total_amount", trade.total_amount()),
            ("trade_no", trade.trade_no.clone()),
            ("trade_status", trade.status.clone()),
            ("version", "1.0".to_owned()),
        ];
        let (charset, body) = self.signed_form(trade, fields).ok()?;
        Some(Delivery {
            notify_id,
            url,
            content_type: format!("application/x-www-form-urlencoded; charset={}", charset.as_str()),
            body: body.into_bytes(),
        })
    }

    /// The fields with `sign` added by the `rsaCheckV1` rule (every field but `sign` and
    /// `sign_type`, sorted), signed in the trade's charset and sign type with the key the gateway
    /// signs answers with, as form text in that charset.
    fn signed_form(
        &self,
        trade: &Trade,
        mut fields: Vec<(&'static str, String)>,
    ) -> Result<(Charset, String), alipay_openapi::Error> {
        let charset: Charset = trade.charset.parse()?;
        let sign_type: SignType = trade.sign_type.parse()?;
        let content = NotifyParams::from_pairs(fields.iter().map(|(k, v)| (*k, v.clone())))?.sign_content_v1();
        let key = &self.signing_key().ok_or_else(|| alipay_openapi::Error::SigningFailed("no key".to_owned()))?.key;
        let signature = key.sign(sign_type, &charset.encode("sign content", &content)?)?;
        fields.push(("sign", base64::engine::general_purpose::STANDARD.encode(signature)));
        Ok((charset, form_encode(charset, fields.iter().map(|(k, v)| (*k, v.as_str())))?))
    }
}

fn business(failure: Failure) -> Rejection {
    match failure {
        Failure::Business { sub_code, sub_msg } => reject(Code::BusinessFailed, sub_code, sub_msg),
        Failure::System(_) => unavailable(),
    }
}

fn unavailable() -> Rejection {
    reject(Code::Unavailable, "isp.unknow-error", "系统繁忙")
}

fn json_answer(status: u16, body: &serde_json::Value) -> Answer {
    Answer {
        status,
        content_type: "application/json;charset=utf-8".to_owned(),
        location: None,
        body: body.to_string().into_bytes(),
    }
}

/// `& < > " '` escaped, so that a value can sit in element text or a quoted attribute.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    alipay_openapi::html_escape_into(&mut out, text);
    out
}

/// A whole page; `body` is HTML already escaped.
fn page(status: u16, title: &str, body: &str) -> Answer {
    let html = format!(
        "<!doctype html>\n<html lang=\"zh\"><head><meta charset=\"utf-8\"><title>{title} — local test gateway</title></head>\n\
         <body>\n<p><strong>Local test gateway — not Alipay.</strong> 本地测试网关，不是支付宝；这里没有真实的钱。</p>\n{body}</body></html>\n"
    );
    Answer { status, content_type: "text/html;charset=utf-8".to_owned(), location: None, body: html.into_bytes() }
}

fn trade_table(trade: &Trade) -> String {
    format!(
        "<table>\n<tr><th>subject</th><td id=\"subject\">{}</td></tr>\n<tr><th>total_amount</th><td id=\"total_amount\">{}</td></tr>\n\
         <tr><th>out_trade_no</th><td id=\"out_trade_no\">{}</td></tr>\n<tr><th>trade_no</th><td id=\"trade_no\">{}</td></tr>\n\
         <tr><th>trade_status</th><td id=\"trade_status\">{}</td></tr>\n</table>\n",
        escape(&trade.subject),
        escape(&trade.total_amount()),
        escape(&trade.out_trade_no),
        escape(&trade.trade_no),
        escape(&trade.status),
    )
}

fn cashier_body(trade: &Trade) -> String {
    let product = if trade.method == PAGE_PAY { "page pay 电脑网站支付" } else { "WAP pay 手机网站支付" };
    format!(
        "<h1>{product}</h1>\n{}<form method=\"post\" action=\"{PAY_PATH}\">\n\
         <input type=\"hidden\" name=\"trade_no\" value=\"{}\">\n<button type=\"submit\" id=\"pay\">Pay (test) 确认付款</button>\n</form>\n",
        trade_table(trade),
        escape(&trade.trade_no),
    )
}

fn paid_body(trade: &Trade) -> String {
    format!("<h1>Paid 已支付</h1>\n{}", trade_table(trade))
}

fn error_page(rejection: &Rejection) -> Answer {
    let (code, msg) = rejection.code.code_and_msg();
    let body = format!(
        "<h1>Refused 请求被拒绝</h1>\n<table>\n<tr><th>code</th><td id=\"code\">{code}</td></tr>\n<tr><th>msg</th><td>{msg}</td></tr>\n\
         <tr><th>sub_code</th><td id=\"sub_code\">{}</td></tr>\n<tr><th>sub_msg</th><td id=\"sub_msg\">{}</td></tr>\n</table>\n",
        escape(rejection.sub_code),
        escape(&rejection.sub_msg),
    );
    page(400, "Refused", &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_every_character_that_could_leave_text_or_an_attribute() {
        assert_eq!(escape(r#"a"><script>'&"#), "a&quot;&gt;&lt;script&gt;&#39;&amp;");
        let refused = error_page(&reject(Code::BusinessFailed, "ACQ.INVALID_PARAMETER", "<b>\"x\"</b>"));
        let html = String::from_utf8(refused.body).unwrap();
        assert!(html.contains("&lt;b&gt;&quot;x&quot;&lt;/b&gt;") && !html.contains("<b>"));
        assert!(html.contains("not Alipay") && refused.status == 400);
    }
}
