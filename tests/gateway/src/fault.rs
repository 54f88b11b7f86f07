//! Injected faults, for testing how clients cope with a misbehaving gateway.
//!
//! Faults come from [`GatewayConfig::faults`](crate::GatewayConfig::faults) (every request) and from
//! a request's `x-gateway-fault` header: a comma-separated list such as
//! `delay=300,unknown-error`. Except `delay`, they apply only to requests that pass the
//! gateway's checks (a request with a bad signature still gets its `isv.invalid-signature`).

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// The request header that selects faults for one request.
pub const FAULT_HEADER: &str = "x-gateway-fault";

/// One injected fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// `unknown-error`: a signed `20000` / `isp.unknow-error` ("系统繁忙"); nothing is processed.
    UnknownError,
    /// `fail-first=N`: the first N attempts for the same business key (`out_biz_no`,
    /// `request_id` or `voucher_id`) get [`Fault::UnknownError`]; later ones are processed.
    FailFirst(u32),
    /// `delay=MS`: wait this long before answering.
    Delay(Duration),
    /// `truncated`: the request is processed, the body is cut in half.
    Truncated,
    /// `bad-signature`: the request is processed; `sign` does not match the node.
    BadSignature,
    /// `tampered`: the request is processed and signed, then one digit of the node is changed.
    Tampered,
    /// `wrong-node`: the request is processed; the answer is signed under another method's node.
    WrongNode,
    /// `unsigned-error`: an unsigned `20000` / `aop.unknow-error`, as when the gateway cannot sign;
    /// nothing is processed.
    UnsignedError,
    /// `rotate-cert` (certificate mode): before answering, the gateway switches for good to its next
    /// Alipay certificate ([`Certificates::next`](crate::Certificates::next)), as after a rotation
    /// on Alipay's side. Applies to any request; no effect without a next certificate.
    RotateCert,
}

impl Fault {
    /// Parses a comma-separated list; the error names the item that is not a fault.
    pub fn parse_list(text: &str) -> Result<Vec<Fault>, String> {
        text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::parse).collect()
    }
}

impl FromStr for Fault {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let number = |value: &str| -> Result<u64, String> {
            value.parse().map_err(|_| format!("fault `{s}`: `{value}` is not a whole number"))
        };
        match s.split_once('=') {
            None => match s {
                "unknown-error" => Ok(Fault::UnknownError),
                "truncated" => Ok(Fault::Truncated),
                "bad-signature" => Ok(Fault::BadSignature),
                "tampered" => Ok(Fault::Tampered),
                "wrong-node" => Ok(Fault::WrongNode),
                "unsigned-error" => Ok(Fault::UnsignedError),
                "rotate-cert" => Ok(Fault::RotateCert),
                _ => Err(unknown(s)),
            },
            Some(("delay", ms)) => Ok(Fault::Delay(Duration::from_millis(number(ms)?))),
            Some(("fail-first", n)) => {
                let n = number(n)?;
                u32::try_from(n).map(Fault::FailFirst).map_err(|_| format!("fault `{s}`: too many attempts"))
            }
            Some(_) => Err(unknown(s)),
        }
    }
}

fn unknown(s: &str) -> String {
    format!(
        "unknown fault `{s}` (known: unknown-error, fail-first=N, delay=MS, truncated, bad-signature, tampered, \
         wrong-node, unsigned-error, rotate-cert)"
    )
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::UnknownError => f.write_str("unknown-error"),
            Fault::FailFirst(n) => write!(f, "fail-first={n}"),
            Fault::Delay(d) => write!(f, "delay={}", d.as_millis()),
            Fault::Truncated => f.write_str("truncated"),
            Fault::BadSignature => f.write_str("bad-signature"),
            Fault::Tampered => f.write_str("tampered"),
            Fault::WrongNode => f.write_str("wrong-node"),
            Fault::UnsignedError => f.write_str("unsigned-error"),
            Fault::RotateCert => f.write_str("rotate-cert"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lists_and_round_trips() {
        let faults = Fault::parse_list("delay=250, fail-first=2,tampered,rotate-cert").unwrap();
        assert_eq!(
            faults,
            vec![Fault::Delay(Duration::from_millis(250)), Fault::FailFirst(2), Fault::Tampered, Fault::RotateCert]
        );
        for fault in faults {
            assert_eq!(fault.to_string().parse::<Fault>().unwrap(), fault);
        }
        assert!(Fault::parse_list("").unwrap().is_empty());
    }

    #[test]
    fn rejects_unknown_faults_by_name() {
        assert!(Fault::parse_list("delay=1,explode").unwrap_err().contains("`explode`"));
        assert!("delay=soon".parse::<Fault>().unwrap_err().contains("soon"));
        assert!("fail-first=99999999999".parse::<Fault>().is_err());
    }
}
