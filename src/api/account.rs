//! `GET /account/costs`: the account's resource packs and what remains of them.
//!
//! Kling wraps this answer twice: the usual envelope, and inside its `data` a second one with its
//! own `code`, `msg` and `resource_pack_subscribe_infos`. The inner code is read inside the retry
//! loop, so an inner 1302 or 5000 is retried like an outer one.

use crate::api::reader::lenient;

use crate::api::client::{Call, Client, RequestOptions};
use crate::api::env::Env;
use crate::api::error::Error;
use crate::api::http::encode_segment;
use crate::api::json::Json;
use crate::api::params::CostsParams;
use crate::api::reply::Reply;
use crate::api::text::num;
use crate::api::validate::{id, parse, required};

/// The endpoint's path.
pub const COSTS_PATH: &str = "/account/costs";

/// The largest time accepted: JavaScript's largest safe integer, in Unix milliseconds.
const MAX_TIME_MS: f64 = 9_007_199_254_740_991.0;

/// A checked `GET /account/costs` query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostsQuery {
    /// From, in Unix milliseconds.
    pub start_time: u64,
    /// Until, in Unix milliseconds; not before `start_time`.
    pub end_time: u64,
    /// Only the packs of this name.
    pub resource_pack_name: Option<String>,
}

impl CostsQuery {
    /// Reads `{start_time, end_time, resource_pack_name?}`: whole Unix milliseconds, start not
    /// after end, a non-empty name; any other field is refused.
    pub fn from_params<J: Json>(params: &J) -> Result<CostsQuery, Error> {
        let p: CostsParams = parse(params, &[])?;
        let start_time = whole_ms("start_time", required("start_time", &p.start_time)?)?;
        let end_time = whole_ms("end_time", required("end_time", &p.end_time)?)?;
        id("resource_pack_name", &p.resource_pack_name, false)?;
        if start_time > end_time {
            return Err(Error::invalid_request(
                "end_time",
                format!("`end_time` ({end_time}) is before `start_time` ({start_time})"),
            ));
        }
        Ok(CostsQuery {
            start_time,
            end_time,
            resource_pack_name: p.resource_pack_name,
        })
    }

    /// The path and query string to request.
    pub fn path(&self) -> String {
        let mut path = format!(
            "{COSTS_PATH}?start_time={}&end_time={}",
            self.start_time, self.end_time
        );
        if let Some(name) = &self.resource_pack_name {
            path.push_str("&resource_pack_name=");
            path.push_str(&encode_segment(name));
        }
        path
    }
}

/// A time: whole Unix milliseconds, at most JavaScript's largest safe integer.
fn whole_ms(name: &str, x: &f64) -> Result<u64, Error> {
    let x = *x;
    if !(x.fract() == 0.0 && (0.0..=MAX_TIME_MS).contains(&x)) {
        return Err(Error::invalid_request(
            name,
            format!("`{name}` must be whole Unix milliseconds, not {}", num(x)),
        ));
    }
    Ok(x as u64)
}

/// The answer of `GET /account/costs`: the outer envelope's `data` exactly as Kling sent it
/// (inner `code`, `msg`, `resource_pack_subscribe_infos`, and anything else), and the request id.
#[derive(Debug, Clone, PartialEq)]
pub struct Costs<J> {
    /// Kling's `data`, untouched.
    pub data: J,
    /// The request id of the answer.
    pub request_id: Option<String>,
}

impl Client {
    /// `GET /account/costs`: the resource packs of the account between `start_time` and
    /// `end_time`. Free; Kling asks for at most one query a second.
    pub async fn account_costs<E: Env>(
        &self,
        env: &E,
        params: &E::Json,
        opts: RequestOptions,
    ) -> Result<Costs<E::Json>, Error> {
        let query = CostsQuery::from_params(params)?;
        let path = query.path();
        let reply = self
            .call_with(env, &Call::get(&path, opts), check_costs)
            .await?;
        Ok(Costs {
            data: reply.data,
            request_id: reply.request_id,
        })
    }
}

/// The inner envelope: what the core reads of the costs answer.
struct Inner {
    code: Option<i64>,
    msg: Option<String>,
}

lenient!(Inner, INNER_FIELDS = ["code" => code, "msg" => msg]);

/// Checks the inner envelope: `code` 0 and a list of packs, or the error Kling's inner `code` means.
pub fn check_costs<J: Json>(reply: &Reply<J>) -> Result<(), Error> {
    let request_id = reply.request_id.clone();
    let inner = reply.data.read::<Inner>();
    match inner.as_ref().and_then(|i| i.code) {
        Some(0) if reply.data.read::<Packs<J>>().is_some() => Ok(()),
        Some(0) => Err(Error::decode(
            "the costs answer's `resource_pack_subscribe_infos` is not an array",
        )
        .with_request_id(request_id)),
        Some(code) => {
            let msg = inner.and_then(|i| i.msg).unwrap_or_default();
            Err(Error::from_api(reply.status, Some(code), &msg, request_id))
        }
        None => Err(Error::decode(
            "the costs answer's `data` is not Kling's inner envelope (no integer `code`)",
        )
        .with_request_id(request_id)),
    }
}

/// The resource packs of a costs answer (absent or `null`: none).
pub struct Packs<J> {
    /// `resource_pack_subscribe_infos`, each as the host parsed it.
    pub resource_pack_subscribe_infos: Option<Vec<J>>,
}

lenient!(Packs<J>, PACKS_FIELDS = [
    "resource_pack_subscribe_infos" => resource_pack_subscribe_infos,
]);

impl<J: Json> Costs<J> {
    /// The resource packs (`resource_pack_subscribe_infos`).
    pub fn packs(&self) -> Vec<J> {
        self.data
            .read::<Packs<J>>()
            .and_then(|p| p.resource_pack_subscribe_infos)
            .unwrap_or_default()
    }
}
