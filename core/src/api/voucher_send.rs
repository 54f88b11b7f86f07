//! `alipay.marketing.voucher.send` (发券): issue a voucher from a template to a user.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::node::{FromNode, Node};
use super::{rules, Amount, ApiCall};
use crate::error::{Error, Result};

/// The largest `amount` the page allows: 10 characters written as `#.00`.
const MAX_AMOUNT_FEN: i64 = 999_999_999;

/// Request of `alipay.marketing.voucher.send`.
///
/// At least one of `user_id`, `login_id` and `taobao_nick` is required; when several are given the
/// gateway uses the first in that order (see [`user_identifier`](Self::user_identifier)).
/// `template_id` + `out_biz_no` identify the business request: a retry must send the same pair.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VoucherSend {
    /// 券模板ID: the voucher template; required, at most 28 characters.
    pub template_id: String,
    /// 支付宝登录ID: the user's Alipay login (phone or e-mail); at most 128 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub login_id: Option<String>,
    /// 淘宝昵称: the user's Taobao nickname; at most 128 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub taobao_nick: Option<String>,
    /// 支付宝用户ID: the user's Alipay user id (`2088…`); at most 16 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// 外部业务订单号: idempotency key (with `template_id`); required, at most 64 characters.
    pub out_biz_no: String,
    /// 券金额: only for red packets (红包), greater than 0 and at most 9999999.99 yuan; sent as a
    /// JSON string with two decimals (`"9.99"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<Amount>,
    /// 发券备注: a note; at most 128 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memo: Option<String>,
}

impl VoucherSend {
    /// The user identifier the gateway will use, as `(field, value)`: `user_id`, else `login_id`,
    /// else `taobao_nick` (the page's priority); `None` when none is given.
    pub fn user_identifier(&self) -> Option<(&'static str, &str)> {
        [("user_id", &self.user_id), ("login_id", &self.login_id), ("taobao_nick", &self.taobao_nick)]
            .into_iter()
            .find_map(|(field, value)| value.as_deref().filter(|v| !v.is_empty()).map(|v| (field, v)))
    }
}

impl ApiCall for VoucherSend {
    const METHOD: &'static str = "alipay.marketing.voucher.send";
    const NAME: &'static str = "voucher_send";
    const BUSINESS_CODES: &'static [super::CatalogEntry] = super::errors::VOUCHER_SEND;
    type Output = VoucherSendResult;

    fn validate(&self) -> Result<()> {
        rules::required("template_id", &self.template_id, 28)?;
        rules::optional("user_id", self.user_id.as_deref(), 16)?;
        rules::optional("login_id", self.login_id.as_deref(), 128)?;
        rules::optional("taobao_nick", self.taobao_nick.as_deref(), 128)?;
        if self.user_identifier().is_none() {
            return Err(Error::field(
                "user_id",
                "one of user_id, login_id and taobao_nick is required (the gateway uses the first given, in that order)",
            ));
        }
        rules::required("out_biz_no", &self.out_biz_no, 64)?;
        if let Some(amount) = self.amount {
            if amount.fen() == 0 {
                return Err(Error::field("amount", "must be greater than 0"));
            }
            if amount.fen() > MAX_AMOUNT_FEN {
                return Err(Error::field("amount", "must be at most 9999999.99 yuan (10 characters as #.00)"));
            }
        }
        rules::optional("memo", self.memo.as_deref(), 128)
    }
}

/// Result of `alipay.marketing.voucher.send`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VoucherSendResult {
    /// 券ID: the voucher issued (28 characters); query it with `alipay.marketing.voucher.query`.
    pub voucher_id: String,
    /// 支付宝用户ID: the owner. The page marks it required, but an app that identifies users by
    /// `open_id` gets `open_id` instead (kept in `extra`), so it may be absent.
    pub user_id: Option<String>,
    /// Members the page does not list, kept as JSON.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl FromNode for VoucherSendResult {
    fn from_node(node: &mut Node) -> Result<Self> {
        Ok(VoucherSendResult {
            voucher_id: node.required("voucher_id", Node::string)?,
            user_id: node.string("user_id")?,
            extra: node.rest()?,
        })
    }
}
