//! `koubei.trade.ticket.ticketcode.sync` (口碑凭证码同步): sync the usage state of a Koubei ticket code.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::node::{FromNode, Node};
use super::{rules, ApiCall};
use crate::error::{Error, Result};
use crate::time::BeijingDateTime;

/// The `biz_code` of a repeated request that had already succeeded.
pub const BIZ_ALREADY_SUCCESS: &str = "BIZ_ALREADY_SUCCESS";

/// 凭证码类型: whether `ticket_code` is Koubei's own code or the merchant's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CodeType {
    /// `INTERNAL_CODE` 内部凭证码: Koubei's code, 12 digits (the gateway's default).
    InternalCode,
    /// `EXTERNAL_CODE` 外部凭证码: the merchant's own code; then `code_type` is required.
    ExternalCode,
}

impl CodeType {
    /// The value as sent.
    pub fn as_str(self) -> &'static str {
        match self {
            CodeType::InternalCode => "INTERNAL_CODE",
            CodeType::ExternalCode => "EXTERNAL_CODE",
        }
    }
}

/// Request of `koubei.trade.ticket.ticketcode.sync`.
///
/// `request_id` identifies the business request: a retry must send the same one, and its answer
/// then says [`idempotent_replay`](TicketCodeSyncResult::idempotent_replay) if the first had
/// succeeded.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TicketCodeSync {
    /// 外部请求号: ASCII letters and digits, never reused; required, at most 32 characters.
    pub request_id: String,
    /// 凭证码: required, at most 32 characters. An internal code is 12 digits; any other code is
    /// external and needs `code_type` = `EXTERNAL_CODE`.
    pub ticket_code: String,
    /// 券码剩余可核销份数: remaining uses, 1 to 4 digits (outside multi-use cards: 1 usable,
    /// 0 not); required. Sent as a JSON string; a non-negative integer is accepted too.
    #[serde(deserialize_with = "rules::string_or_unsigned")]
    pub quantity: String,
    /// 口碑订单号: the Koubei order; required, at most 32 characters.
    pub order_no: String,
    /// 凭证码类型: absent means `INTERNAL_CODE`; required (`EXTERNAL_CODE`) for external codes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_type: Option<CodeType>,
    /// 业务发生时间: when it happened (Beijing time, `yyyy-MM-dd HH:mm:ss`); absent means the
    /// time of the call.
    #[serde(with = "rules::gmt_biz", skip_serializing_if = "Option::is_none")]
    pub gmt_biz: Option<BeijingDateTime>,
    /// 门店id: the shop where the state changed; at most 32 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sync_shop_id: Option<String>,
}

impl ApiCall for TicketCodeSync {
    const METHOD: &'static str = "koubei.trade.ticket.ticketcode.sync";
    const NAME: &'static str = "ticket_code_sync";
    const BUSINESS_CODES: &'static [super::CatalogEntry] = super::errors::TICKET_CODE_SYNC;
    type Output = TicketCodeSyncResult;

    fn validate(&self) -> Result<()> {
        rules::required("request_id", &self.request_id, 32)?;
        rules::letters_and_digits("request_id", &self.request_id)?;
        rules::required("ticket_code", &self.ticket_code, 32)?;
        rules::required("quantity", &self.quantity, 4)?;
        rules::digits("quantity", &self.quantity)?;
        rules::required("order_no", &self.order_no, 32)?;
        let internal_shape = self.ticket_code.len() == 12 && self.ticket_code.bytes().all(|b| b.is_ascii_digit());
        if self.code_type != Some(CodeType::ExternalCode) && !internal_shape {
            return Err(Error::field(
                "code_type",
                "must be EXTERNAL_CODE: the ticket_code is not a 12-digit internal code, so it is external",
            ));
        }
        rules::optional("sync_shop_id", self.sync_shop_id.as_deref(), 32)
    }
}

/// Result of `koubei.trade.ticket.ticketcode.sync`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TicketCodeSyncResult {
    /// 外部请求号, echoed; read from a string or from a one-element list (as the page's example
    /// writes it).
    pub request_id: String,
    /// 凭证码所属的订单id.
    pub order_no: String,
    /// 业务属性, e.g. [`BIZ_ALREADY_SUCCESS`].
    pub biz_code: Option<String>,
    /// `biz_code` is `BIZ_ALREADY_SUCCESS`: this `request_id` had already been synced; nothing
    /// changed now, and the earlier sync stands.
    pub idempotent_replay: bool,
    /// Members the page does not list, kept as JSON.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl FromNode for TicketCodeSyncResult {
    fn from_node(node: &mut Node) -> Result<Self> {
        let request_id = node.required("request_id", Node::string_or_single)?;
        let order_no = node.required("order_no", Node::string)?;
        let biz_code = node.string("biz_code")?;
        Ok(TicketCodeSyncResult {
            request_id,
            order_no,
            idempotent_replay: biz_code.as_deref() == Some(BIZ_ALREADY_SUCCESS),
            biz_code,
            extra: node.rest()?,
        })
    }
}
