//! `alipay.marketing.voucher.query` (券查询): one voucher, with its bill details.

use std::fmt;

use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

use super::node::{FromNode, Node};
use super::{rules, Amount, ApiCall};
use crate::error::{Error, Result};
use crate::time::BeijingDateTime;

/// Request of `alipay.marketing.voucher.query`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VoucherQuery {
    /// 券ID: the id `alipay.marketing.voucher.send` returned; required, exactly 28 characters.
    pub voucher_id: String,
}

impl ApiCall for VoucherQuery {
    const METHOD: &'static str = "alipay.marketing.voucher.query";
    const NAME: &'static str = "voucher_query";
    const BUSINESS_CODES: &'static [super::CatalogEntry] = super::errors::VOUCHER_QUERY;
    type Output = VoucherQueryResult;

    fn validate(&self) -> Result<()> {
        rules::required("voucher_id", &self.voucher_id, 28)?;
        let length = rules::length(&self.voucher_id);
        if length != 28 {
            return Err(Error::field(
                "voucher_id",
                format!("must be exactly 28 characters, the id voucher.send returns (got {length})"),
            ));
        }
        Ok(())
    }
}

/// A string-valued enum of a response: the values the page lists, plus `Unknown` keeping any
/// other value as sent.
macro_rules! response_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$variant_meta:meta])* $variant:ident = $text:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$variant_meta])* $variant,)*
            /// A value the page does not list, as sent.
            Unknown(String),
        }

        impl $name {
            /// The value as the gateway writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $text,)*
                    Self::Unknown(text) => text,
                }
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                match text {
                    $($text => Self::$variant,)*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    };
}

response_enum! {
    /// 券状态: the voucher's status.
    VoucherStatus {
        /// `ENABLED` 可用: usable.
        Enabled = "ENABLED",
        /// `DISABLED` 不可用: not usable.
        Disabled = "DISABLED",
        /// `DELETE` 删除状态: deleted.
        Delete = "DELETE",
        /// `TRANS` 发放中: being issued.
        Trans = "TRANS",
        /// `TRANSFER` 已转赠: given to someone else.
        Transfer = "TRANSFER",
        /// `UNC` 未领取: not claimed.
        Unc = "UNC",
        /// `USED` 已使用: used.
        Used = "USED",
        /// `USING` 使用中: being used.
        Using = "USING",
        /// `REFUNDED` 已退款: refunded.
        Refunded = "REFUNDED",
        /// `REFUNDING` (the page says 使用中; a refund in progress).
        Refunding = "REFUNDING",
        /// `UNACTIVE` 未激活: not active yet.
        Unactive = "UNACTIVE",
        /// `EXPIRED` 已过期: expired.
        Expired = "EXPIRED",
    }
}

response_enum! {
    /// 交易状态 of a bill detail.
    BillStatus {
        /// `I` 处理中: processing.
        Processing = "I",
        /// `S` 成功: succeeded.
        Success = "S",
    }
}

response_enum! {
    /// 账单类型 of a bill detail.
    BillType {
        /// `V_USE` 支付: the voucher paid for a trade.
        Use = "V_USE",
        /// `V_REFUND` 退款: a refund gave it back.
        Refund = "V_REFUND",
    }
}

/// Result of `alipay.marketing.voucher.query`.
///
/// Lenient where the gateway is inconsistent, strict where it matters: only `voucher_id` and
/// `status` are required (a successful answer without one is a malformed response). Real answers
/// also come in an older shape (`voucher_name` for `name`, `amount` for `total_amount`, no
/// `gmt_create`), so the other fields are `None` when absent rather than invented. Amounts are
/// exact whether written `"1.00"` or `1`; date-times are Beijing time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VoucherQueryResult {
    /// 券ID.
    pub voucher_id: String,
    /// 券模板ID.
    pub template_id: Option<String>,
    /// 券名称: the name the user sees (`name`, or the older `voucher_name`).
    pub name: Option<String>,
    /// 券所属用户ID: the owner, if the answer names them by `user_id`.
    pub user_id: Option<String>,
    /// 券状态.
    pub status: VoucherStatus,
    /// 券面额: face value in yuan (`total_amount`, or the older `amount`).
    pub total_amount: Option<Amount>,
    /// 券余额: remaining value in yuan.
    pub available_amount: Option<Amount>,
    /// 券激活时间: usable from (Beijing time).
    #[serde(serialize_with = "rules::optional_date_time")]
    pub gmt_active: Option<BeijingDateTime>,
    /// 券过期时间: usable until (Beijing time).
    #[serde(serialize_with = "rules::optional_date_time")]
    pub gmt_expired: Option<BeijingDateTime>,
    /// 券创建时间: issued at (Beijing time).
    #[serde(serialize_with = "rules::optional_date_time")]
    pub gmt_create: Option<BeijingDateTime>,
    /// 扩展信息: JSON text (an object sent as JSON is kept as its text).
    pub extend_info: Option<String>,
    /// 券交易账单信息: uses and refunds; empty when there is none.
    pub bill_details: Vec<BillDetail>,
    /// Members the page does not list, kept as JSON.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl FromNode for VoucherQueryResult {
    fn from_node(node: &mut Node) -> Result<Self> {
        Ok(VoucherQueryResult {
            voucher_id: node.required("voucher_id", Node::string)?,
            template_id: node.string("template_id")?,
            name: either(node, "name", "voucher_name", Node::string)?,
            user_id: node.string("user_id")?,
            status: node.required("status", Node::string)?.as_str().into(),
            total_amount: either(node, "total_amount", "amount", Node::amount)?,
            available_amount: node.amount("available_amount")?,
            gmt_active: node.date_time("gmt_active")?,
            gmt_expired: node.date_time("gmt_expired")?,
            gmt_create: node.date_time("gmt_create")?,
            extend_info: node.json_text("extend_info")?,
            bill_details: node.list("bill_details")?,
            extra: node.rest()?,
        })
    }
}

/// One bill detail (VoucherBillDetail): a use or a refund of the voucher.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BillDetail {
    /// 支付宝交易号.
    pub trade_no: Option<String>,
    /// 券核销/退款金额: amount used or refunded, in yuan.
    pub amount: Amount,
    /// 交易状态.
    pub status: BillStatus,
    /// 交易合作伙伴ID.
    pub partner_id: Option<String>,
    /// 商户名称.
    pub partner_name: Option<String>,
    /// 账单类型 (older answers leave it out).
    pub biz_type: Option<BillType>,
    /// 交易时间 (Beijing time).
    #[serde(serialize_with = "rules::date_time")]
    pub gmt_create: BeijingDateTime,
    /// Members the page does not list, kept as JSON.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl FromNode for BillDetail {
    fn from_node(node: &mut Node) -> Result<Self> {
        Ok(BillDetail {
            trade_no: node.string("trade_no")?,
            amount: node.required("amount", Node::amount)?,
            status: node.required("status", Node::string)?.as_str().into(),
            partner_id: node.string("partner_id")?,
            partner_name: node.string("partner_name")?,
            biz_type: node.string("biz_type")?.map(|text| text.as_str().into()),
            gmt_create: node.required("gmt_create", Node::date_time)?,
            extra: node.rest()?,
        })
    }
}

/// Reads `name`, or `older_name` when `name` is absent (the older answer shape); if both are
/// present, `older_name` stays in `extra`.
fn either<T>(
    node: &mut Node,
    name: &str,
    older_name: &str,
    read: impl Fn(&mut Node, &str) -> Result<Option<T>>,
) -> Result<Option<T>> {
    match read(node, name)? {
        Some(value) => Ok(Some(value)),
        None => read(node, older_name),
    }
}
