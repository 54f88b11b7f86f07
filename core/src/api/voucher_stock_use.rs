//! `alipay.marketing.voucher.stock.use` (外部商户券码券核销): redeem an external merchant voucher code.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::node::{FromNode, Node};
use super::{rules, ApiCall};
use crate::error::Result;

/// Request of `alipay.marketing.voucher.stock.use`.
///
/// `out_biz_no` must be unique per redemption; the gateway treats a repeat as the same request, so
/// a retry must send the same `out_biz_no`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VoucherStockUse {
    /// 券码: the code, as uploaded with the external code template; required, at most 128 characters.
    pub entity_no: String,
    /// 外部业务号: ASCII letters and digits, unique per redemption; required, at most 128 characters.
    pub out_biz_no: String,
}

impl ApiCall for VoucherStockUse {
    const METHOD: &'static str = "alipay.marketing.voucher.stock.use";
    const NAME: &'static str = "voucher_stock_use";
    const BUSINESS_CODES: &'static [super::CatalogEntry] = super::errors::VOUCHER_STOCK_USE;
    type Output = VoucherStockUseResult;

    fn validate(&self) -> Result<()> {
        rules::required("entity_no", &self.entity_no, 128)?;
        rules::required("out_biz_no", &self.out_biz_no, 128)?;
        rules::letters_and_digits("out_biz_no", &self.out_biz_no)
    }
}

/// Result of `alipay.marketing.voucher.stock.use`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VoucherStockUseResult {
    /// 核销序号 (28 characters), one per `entity_no`. The page: when it is absent the code was
    /// **not** redeemed, even though the call succeeded; see [`redeemed`](Self::redeemed).
    pub voucher_id: Option<String>,
    /// Members the page does not list, kept as JSON.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl VoucherStockUseResult {
    /// Whether the code was redeemed (the answer carries a `voucher_id`).
    pub fn redeemed(&self) -> bool {
        self.voucher_id.is_some()
    }
}

impl FromNode for VoucherStockUseResult {
    fn from_node(node: &mut Node) -> Result<Self> {
        Ok(VoucherStockUseResult { voucher_id: node.string("voucher_id")?, extra: node.rest()? })
    }
}
