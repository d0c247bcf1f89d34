//! The links citizens receive: `GET /s/{token}` (an invitation) and
//! `GET /p/{pointCode}` (a service point's QR poster).
//!
//! The survey screens belong to the separate mobile and web clients: in a real
//! deployment `SANAL_PUBLIC_BASE_URL` and `SANAL_PUBLIC_POSTER_BASE_URL` point at
//! such a client, and these routes are never reached. Their defaults point at the
//! API itself, so that every link resolves somewhere:
//!
//! - outside production mode, a link redirects (303) to GraphiQL with the
//!   `invitation` (or `openSurvey`) query and the token (or code) already filled
//!   in, and beside it the mutation that answers it, with a complete example
//!   response to that survey in its variables: a developer answers a survey from
//!   the link;
//! - in production mode, a link that reaches the API answers a short problem
//!   document (RFC 9457, code `LINK_NOT_SERVED_HERE`) saying the links should
//!   point at the survey client.
//!
//! In development the survey is looked up (as the query would, counted against
//! the same guessing limits) only to fill in the example answers; an unknown
//! token still redirects, with no answers, and the query says NOT_FOUND. In
//! production nothing is looked up.

use super::graphql::request_ip;
use crate::auth::Actor;
use crate::domain::survey::example_answers;
use crate::services::responses as resp;
use crate::services::surveys::VersionView;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

/// The stable code of a link that reached the API in production mode.
pub const LINK_NOT_SERVED_HERE: &str = "LINK_NOT_SERVED_HERE";

/// The longest token or poster code a link may carry.
const MAX_LEN: usize = 100;

/// What a survey screen shows of each question (both documents end with it).
macro_rules! question_fragment {
    () => {
        r#"
fragment Question on PublicQuestion {
  key
  type
  text
  required
  min
  max
  labels
  options { key label }
  allowNotApplicable
  allowOther
  showIf { questionKey values choices }
}
"#
    };
}

/// What GraphiQL opens with for an invitation link.
pub const INVITATION_DOCUMENT: &str = concat!(
    r#"# The survey behind the invitation link you opened (development mode).
# Run "Invitation" (the play button) to see the questions; "Answer" sends the
# example answers in the variables below (one per question shown; change them
# as you like). A production deployment sends citizens to the survey client.
query Invitation($token: String!) {
  invitation(token: $token) {
    status
    expiresAt
    locale
    serviceName
    institutionName
    title
    description
    questions { ...Question }
  }
}

mutation Answer($token: String!, $answers: [AnswerInput!]!) {
  submitResponse(input: { token: $token, answers: $answers }) {
    accepted
    thankYou
  }
}
"#,
    question_fragment!()
);

/// What GraphiQL opens with for a poster link.
pub const POSTER_DOCUMENT: &str = concat!(
    r#"# The survey of the QR poster you opened (development mode).
# Run "Poster" (the play button) to see the questions; "Answer" sends the
# example answers in the variables below (change them as you like). A
# production deployment sends citizens to the survey client.
query Poster($pointCode: String!) {
  openSurvey(pointCode: $pointCode) {
    locale
    serviceName
    institutionName
    title
    description
    questions { ...Question }
  }
}

mutation Answer($pointCode: String!, $answers: [AnswerInput!]!) {
  submitOpenResponse(input: { pointCode: $pointCode, answers: $answers }) {
    accepted
    thankYou
  }
}
"#,
    question_fragment!()
);

/// `GET /s/{token}`.
pub async fn invitation(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> HttpResponse {
    if let Some(refused) = refuse(&req, &state, &token) {
        return refused;
    }
    let actor = Actor::anonymous(request_ip(&req, &state));
    let survey = resp::get_invitation(&state, &actor, Some(&token), None, None)
        .await
        .ok()
        .map(|v| v.survey);
    redirect(INVITATION_DOCUMENT, "token", &token, survey)
}

/// `GET /p/{pointCode}`.
pub async fn poster(
    req: HttpRequest,
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> HttpResponse {
    if let Some(refused) = refuse(&req, &state, &code) {
        return refused;
    }
    let actor = Actor::anonymous(request_ip(&req, &state));
    let survey = resp::get_open_survey(&state, &actor, &code, None, None, None)
        .await
        .ok()
        .map(|v| v.survey);
    redirect(POSTER_DOCUMENT, "pointCode", &code, survey)
}

/// The answer when a link is not redirected: always in production, and for a
/// malformed token or code.
fn refuse(req: &HttpRequest, state: &AppState, value: &str) -> Option<HttpResponse> {
    if state.config.production {
        return Some(problem(
            req,
            StatusCode::NOT_FOUND,
            LINK_NOT_SERVED_HERE,
            "This link belongs to the survey app",
            "Survey links are opened by the survey client, not by the API: \
             SANAL_PUBLIC_BASE_URL and SANAL_PUBLIC_POSTER_BASE_URL must be the \
             client's address.",
        ));
    }
    let well_formed = !value.is_empty()
        && value.len() <= MAX_LEN
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    (!well_formed).then(|| {
        problem(
            req,
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "Not a survey link",
            "A link carries a token or poster code of letters, digits, '-' and '_'.",
        )
    })
}

/// 303 to GraphiQL with `document`, the link's value and example answers.
fn redirect(
    document: &str,
    variable: &str,
    value: &str,
    survey: Option<VersionView>,
) -> HttpResponse {
    let answers: Vec<serde_json::Value> = survey
        .map(|s| example_answers(&s.content))
        .unwrap_or_default()
        .into_iter()
        .map(|a| {
            let mut o = json!({ "questionKey": a.question_key });
            if let Some(v) = a.value {
                o["value"] = json!(v);
            }
            if !a.choices.is_empty() {
                o["choices"] = json!(a.choices);
            }
            if let Some(t) = a.text {
                o["text"] = json!(t);
            }
            o
        })
        .collect();
    let variables = json!({ variable: value, "answers": answers }).to_string();
    let location = format!(
        "/graphql?query={}&variables={}",
        percent_encode(document),
        percent_encode(&variables)
    );
    HttpResponse::build(StatusCode::SEE_OTHER)
        .insert_header((LOCATION, location))
        .insert_header((CACHE_CONTROL, "no-store"))
        .insert_header(("referrer-policy", "no-referrer"))
        .finish()
}

/// An RFC 9457 problem document with Sanal's stable code and the request id.
fn problem(
    req: &HttpRequest,
    status: StatusCode,
    code: &str,
    title: &str,
    detail: &str,
) -> HttpResponse {
    let id = crate::telemetry::http::request_id(req);
    HttpResponse::build(status)
        .insert_header((CONTENT_TYPE, "application/problem+json"))
        .insert_header((CACHE_CONTROL, "no-store"))
        .insert_header(("referrer-policy", "no-referrer"))
        .body(
            json!({
                "type": "about:blank",
                "status": status.as_u16(),
                "title": title,
                "detail": detail,
                "code": code,
                "requestId": id.as_str(),
            })
            .to_string(),
        )
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoding_leaves_only_unreserved_characters() {
        assert_eq!(
            percent_encode("a b{\"x\":1}\nü"),
            "a%20b%7B%22x%22%3A1%7D%0A%C3%BC"
        );
    }

    #[test]
    fn the_documents_name_their_variable_and_the_mutation_that_answers() {
        assert!(INVITATION_DOCUMENT.contains("invitation(token: $token)"));
        assert!(INVITATION_DOCUMENT.contains("submitResponse("));
        assert!(POSTER_DOCUMENT.contains("openSurvey(pointCode: $pointCode)"));
        assert!(POSTER_DOCUMENT.contains("submitOpenResponse("));
    }
}
