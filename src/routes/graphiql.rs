//! GraphiQL, outside production mode, with everything it needs served from the
//! binary: `GET /graphql` answers a page that loads GraphiQL and React from
//! `/graphiql/<key>/<file>` (no CDN), so the explorer works on a network without
//! internet access. The vendored files in `assets/graphiql/` are written by
//! `scripts/fetch-graphiql.sh`; the page and `init.js` next to this file are ours.
//!
//! `<key>` is a hash of every served file, so a URL always names the same bytes
//! and the files are cached as immutable; the page itself is revalidated.

use crate::auth::secrets::hex;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, web};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// Where the assets are served; the page references nothing else.
pub const ASSET_PREFIX: &str = "/graphiql";

/// The page's policy: its own scripts only (no inline script, no eval), styles
/// inline too (GraphiQL and CodeMirror set element styles), fonts and icons
/// embedded in the stylesheet as `data:` URLs, requests to this origin only.
pub const CONTENT_SECURITY_POLICY_VALUE: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
     connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";

/// One served file.
pub struct Asset {
    pub name: &'static str,
    pub content_type: &'static str,
    pub bytes: &'static [u8],
}

/// Every file under `/graphiql/<key>/`.
pub static ASSETS: &[Asset] = &[
    Asset {
        name: "react.production.min.js",
        content_type: JS,
        bytes: include_bytes!("../../assets/graphiql/react.production.min.js"),
    },
    Asset {
        name: "react-dom.production.min.js",
        content_type: JS,
        bytes: include_bytes!("../../assets/graphiql/react-dom.production.min.js"),
    },
    Asset {
        name: "graphiql.min.js",
        content_type: JS,
        bytes: include_bytes!("../../assets/graphiql/graphiql.min.js"),
    },
    Asset {
        name: "graphiql.min.css",
        content_type: CSS,
        bytes: include_bytes!("../../assets/graphiql/graphiql.min.css"),
    },
    Asset {
        name: "init.js",
        content_type: JS,
        bytes: include_bytes!("graphiql/init.js"),
    },
    Asset {
        name: "LICENSE.graphiql",
        content_type: TEXT,
        bytes: include_bytes!("../../assets/graphiql/LICENSE.graphiql"),
    },
    Asset {
        name: "LICENSE.react",
        content_type: TEXT,
        bytes: include_bytes!("../../assets/graphiql/LICENSE.react"),
    },
    Asset {
        name: "LICENSE.react-dom",
        content_type: TEXT,
        bytes: include_bytes!("../../assets/graphiql/LICENSE.react-dom"),
    },
    Asset {
        name: "VERSIONS",
        content_type: TEXT,
        bytes: include_bytes!("../../assets/graphiql/VERSIONS"),
    },
];

/// The first 16 hex digits of a SHA-256 over every asset's name and bytes.
static KEY: LazyLock<String> = LazyLock::new(|| {
    let mut h = Sha256::new();
    for a in ASSETS {
        h.update((a.name.len() as u64).to_le_bytes());
        h.update(a.name.as_bytes());
        h.update((a.bytes.len() as u64).to_le_bytes());
        h.update(a.bytes);
    }
    let mut key = hex(&h.finalize());
    key.truncate(16);
    key
});

/// The path the assets are currently served under, e.g. `/graphiql/0123456789abcdef`.
pub fn asset_base() -> String {
    format!("{ASSET_PREFIX}/{}", *KEY)
}

static PAGE: LazyLock<String> =
    LazyLock::new(|| include_str!("graphiql/index.html").replace("{{BASE}}", &asset_base()));

fn not_found(req: &HttpRequest, message: &str) -> HttpResponse {
    let id = crate::telemetry::http::request_id(req);
    HttpResponse::build(StatusCode::NOT_FOUND).json(serde_json::json!({
        "errors": [{ "message": message, "extensions": { "code": "NOT_FOUND", "requestId": id.as_str() } }]
    }))
}

const OFF: &str = "GraphiQL is off in production mode";

/// `GET /graphql`: the GraphiQL page (404 in production mode). It never executes
/// anything: a `?query=` only fills the editor.
pub async fn page(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if state.config.production {
        return not_found(&req, OFF);
    }
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY_VALUE))
        .insert_header((CACHE_CONTROL, "no-cache"))
        .insert_header(("x-content-type-options", "nosniff"))
        .insert_header(("referrer-policy", "no-referrer"))
        .body(PAGE.as_str())
}

/// `GET /graphiql/{key}/{file}`: one asset, cacheable for a year (404 in
/// production mode, for an unknown file, or for a key other than the current one).
pub async fn asset(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (key, file) = path.into_inner();
    if state.config.production {
        return not_found(&req, OFF);
    }
    let found = ASSETS.iter().find(|a| a.name == file);
    match found {
        Some(a) if key == *KEY => HttpResponse::Ok()
            .insert_header((CONTENT_TYPE, a.content_type))
            .insert_header((CACHE_CONTROL, "public, max-age=31536000, immutable"))
            .insert_header(("x-content-type-options", "nosniff"))
            .body(a.bytes),
        _ => not_found(&req, "no such file"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_references_only_local_assets_that_exist() {
        let base = asset_base();
        assert!(!PAGE.contains("{{BASE}}"));
        assert!(!PAGE.contains("://"), "no absolute URL in the page");
        let mut referenced = 0;
        for part in PAGE.split(&format!("{base}/")).skip(1) {
            let name = part.split('"').next().unwrap_or_default();
            assert!(
                ASSETS.iter().any(|a| a.name == name),
                "{name} is not served"
            );
            referenced += 1;
        }
        assert_eq!(referenced, 5, "react, react-dom, graphiql js + css, init");
    }

    #[test]
    fn the_key_is_stable_and_short() {
        assert_eq!(KEY.len(), 16);
        assert_eq!(*KEY, asset_base()[ASSET_PREFIX.len() + 1..]);
    }
}
