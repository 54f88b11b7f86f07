//! Reading typed results out of a verified response node, from its raw JSON text.
//!
//! The node is read member by member from the text the signature covered, never through `f64`: an
//! amount written as `1`, `1.5` or `"1.00"` is read exactly. Members a result type does not know
//! are handed back by [`Node::rest`] so that no field is dropped silently.

use std::collections::BTreeMap;

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::Amount;
use crate::error::{Error, Result};
use crate::response::VerifiedResponse;
use crate::time::BeijingDateTime;

/// A result type read from a response node (or from an object inside one).
pub trait FromNode: Sized {
    /// Reads the fields this type knows from `node`, and keeps the others with [`Node::rest`].
    fn from_node(node: &mut Node) -> Result<Self>;
}

/// The generic result: every member of the node except `code` and `msg`, as JSON values.
impl FromNode for Map<String, Value> {
    fn from_node(node: &mut Node) -> Result<Self> {
        node.rest()
    }
}

/// Turns a verified answer into `T`: a `code` other than `10000` (or any `sub_code`) becomes
/// [`Error::Gateway`]; otherwise the node is read, without its `code` and `msg`.
///
/// This is the one response path: [`ApiCall::parse`](super::ApiCall::parse) uses it for the four
/// typed APIs, and `parse::<serde_json::Map<String, Value>>` reads any other method.
pub fn parse<T: FromNode>(verified: VerifiedResponse) -> Result<T> {
    let verified = verified.into_success()?;
    let mut node = Node::parse(verified.node_text())?;
    node.take("code");
    node.take("msg");
    T::from_node(&mut node)
}

/// The members of one JSON object of a response, still as raw JSON text.
#[derive(Debug)]
pub struct Node {
    /// Where this object sits in the node, for messages: empty, or e.g. `bill_details[0].`.
    path: String,
    members: BTreeMap<String, Box<RawValue>>,
}

impl Node {
    /// Splits a JSON object into its members.
    pub fn parse(json: &str) -> Result<Self> {
        Self::nested(String::new(), json)
    }

    fn nested(path: String, json: &str) -> Result<Self> {
        let members = serde_json::from_str(json).map_err(|e| {
            let at = if path.is_empty() {
                "the response node".to_owned()
            } else {
                format!("`{}`", path.trim_end_matches('.'))
            };
            Error::MalformedResponse(format!("{at} is not a JSON object ({e})"))
        })?;
        Ok(Node { path, members })
    }

    fn malformed(&self, name: &str, rule: &str) -> Error {
        Error::MalformedResponse(format!("`{}{name}` {rule}", self.path))
    }

    /// Takes a member out as raw JSON text; `null` counts as absent.
    pub fn take(&mut self, name: &str) -> Option<Box<RawValue>> {
        self.members.remove(name).filter(|raw| raw.get() != "null")
    }

    /// A text member. A number or boolean is kept as its JSON text; an empty string is absent.
    pub fn string(&mut self, name: &str) -> Result<Option<String>> {
        let Some(raw) = self.take(name) else { return Ok(None) };
        let text = raw.get();
        let value = match text.as_bytes().first() {
            Some(b'"') => {
                serde_json::from_str::<String>(text).map_err(|_| self.malformed(name, "is not a valid string"))?
            }
            Some(b'{' | b'[') => return Err(self.malformed(name, "must be a string, not an object or list")),
            _ => text.to_owned(),
        };
        Ok(Some(value).filter(|v| !v.is_empty()))
    }

    /// A text member that may also come as a list holding exactly one string (the
    /// `koubei.trade.ticket.ticketcode.sync` page returns `request_id` as `["…"]`).
    pub fn string_or_single(&mut self, name: &str) -> Result<Option<String>> {
        let Some(raw) = self.take(name) else { return Ok(None) };
        if raw.get().starts_with('[') {
            let list: Vec<String> = serde_json::from_str(raw.get())
                .map_err(|_| self.malformed(name, "must be a string or a list of strings"))?;
            return match <[String; 1]>::try_from(list) {
                Ok([one]) => Ok(Some(one).filter(|v| !v.is_empty())),
                Err(list) => {
                    Err(self.malformed(name, &format!("must hold exactly one string (it holds {})", list.len())))
                }
            };
        }
        self.members.insert(name.to_owned(), raw);
        self.string(name)
    }

    /// Text holding JSON (such as `extend_info`): a string as is, an object or list as its JSON text.
    pub fn json_text(&mut self, name: &str) -> Result<Option<String>> {
        match self.members.get(name).map(|raw| raw.get().as_bytes().first().copied()) {
            Some(Some(b'{' | b'[')) => Ok(self.take(name).map(|raw| raw.get().to_owned())),
            _ => self.string(name),
        }
    }

    /// An amount in yuan, exact whether it is written `"1.00"`, `1.5` or `1`.
    pub fn amount(&mut self, name: &str) -> Result<Option<Amount>> {
        let field = format!("{}{name}", self.path);
        self.string(name)?.map(|text| Amount::parse_field(&field, &text).map_err(into_malformed)).transpose()
    }

    /// A `yyyy-MM-dd HH:mm:ss` date-time in Beijing time (UTC+8).
    pub fn date_time(&mut self, name: &str) -> Result<Option<BeijingDateTime>> {
        let field = format!("{}{name}", self.path);
        self.string(name)?.map(|text| BeijingDateTime::parse(&field, &text).map_err(into_malformed)).transpose()
    }

    /// A list of objects: a JSON array, or the array wrapped in an object of one member as the
    /// gateway's XML heritage sometimes writes it (`{"voucher_bill_detail":[…]}`). Absent is empty.
    pub fn list<T: FromNode>(&mut self, name: &str) -> Result<Vec<T>> {
        let Some(raw) = self.take(name) else { return Ok(Vec::new()) };
        let not_a_list = || self.malformed(name, "must be a list (or a list wrapped in an object of one member)");
        let mut items: Vec<Box<RawValue>> = match raw.get().as_bytes().first() {
            Some(b'[') => serde_json::from_str(raw.get()).map_err(|_| not_a_list())?,
            Some(b'{') => {
                let wrapper: BTreeMap<String, Box<RawValue>> =
                    serde_json::from_str(raw.get()).map_err(|_| not_a_list())?;
                let mut inner = wrapper.into_values();
                match (inner.next(), inner.next()) {
                    (Some(only), None) if only.get().starts_with('[') => {
                        serde_json::from_str(only.get()).map_err(|_| not_a_list())?
                    }
                    (Some(only), None) if only.get().starts_with('{') => vec![only],
                    _ => return Err(not_a_list()),
                }
            }
            _ => return Err(not_a_list()),
        };
        items.retain(|item| item.get() != "null");
        items
            .iter()
            .enumerate()
            .map(|(i, item)| T::from_node(&mut Node::nested(format!("{}{name}[{i}].", self.path), item.get())?))
            .collect()
    }

    /// Requires a member that `read` (one of the readers above) reads.
    pub fn required<T>(&mut self, name: &str, read: impl FnOnce(&mut Self, &str) -> Result<Option<T>>) -> Result<T> {
        read(self, name)?.ok_or_else(|| self.malformed(name, "is missing from a successful answer"))
    }

    /// Every member not taken yet, as JSON values: a result's `extra`. (A number with a fraction
    /// here is a `serde_json::Number`, i.e. binary floating point: money is read by typed fields.)
    pub fn rest(&mut self) -> Result<Map<String, Value>> {
        std::mem::take(&mut self.members)
            .into_iter()
            .map(|(key, raw)| {
                let value = serde_json::from_str(raw.get())
                    .map_err(|e| Error::MalformedResponse(format!("`{}{key}` is not JSON ({e})", self.path)))?;
                Ok((key, value))
            })
            .collect()
    }
}

/// A field rule broken inside a response is a malformed response, not a caller's mistake.
fn into_malformed(error: Error) -> Error {
    match error {
        Error::InvalidField { field, rule } => Error::MalformedResponse(format!("`{field}` {rule}")),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_exact_amounts_from_number_tokens_and_strings() {
        let mut node = Node::parse(r#"{"a":1,"b":"1.00","c":1.5,"d":0.1,"e":1e2,"f":-1,"g":null}"#).unwrap();
        assert_eq!(node.amount("a").unwrap().unwrap().fen(), 100);
        assert_eq!(node.amount("b").unwrap().unwrap().fen(), 100);
        assert_eq!(node.amount("c").unwrap().unwrap().fen(), 150);
        assert_eq!(node.amount("d").unwrap().unwrap().fen(), 10);
        assert_eq!(node.amount("e").unwrap_err().code(), "malformed_response");
        assert!(node.amount("f").unwrap_err().to_string().contains("`f`"));
        assert_eq!(node.amount("g").unwrap(), None);
        assert!(node.rest().unwrap().is_empty());
    }

    #[test]
    fn lists_come_bare_wrapped_or_absent() {
        #[derive(Debug)]
        struct Item(String);
        impl FromNode for Item {
            fn from_node(node: &mut Node) -> Result<Self> {
                Ok(Item(node.required("id", Node::string)?))
            }
        }
        let mut node = Node::parse(
            r#"{"bare":[{"id":"1"},{"id":"2"}],"wrapped":{"item":[{"id":"3"}]},"single":{"item":{"id":"4"}},"bad":{"a":[],"b":[]},"missing":[{"x":1}]}"#,
        )
        .unwrap();
        let ids = |v: Vec<Item>| v.into_iter().map(|i| i.0).collect::<Vec<_>>();
        assert_eq!(ids(node.list("bare").unwrap()), ["1", "2"]);
        assert_eq!(ids(node.list("wrapped").unwrap()), ["3"]);
        assert_eq!(ids(node.list("single").unwrap()), ["4"]);
        assert!(node.list::<Item>("absent").unwrap().is_empty());
        assert!(node.list::<Item>("bad").is_err());
        let err = node.list::<Item>("missing").unwrap_err().to_string();
        assert!(err.contains("`missing[0].id`"), "{err}");
    }

    #[test]
    fn string_or_single_takes_a_string_or_one_element_list() {
        let mut node = Node::parse(r#"{"a":"x","b":["y"],"c":["y","z"],"d":[]}"#).unwrap();
        assert_eq!(node.string_or_single("a").unwrap().as_deref(), Some("x"));
        assert_eq!(node.string_or_single("b").unwrap().as_deref(), Some("y"));
        assert!(node.string_or_single("c").unwrap_err().to_string().contains("exactly one"));
        assert!(node.string_or_single("d").is_err());
    }
}
