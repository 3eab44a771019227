//! Forms: `Posted<T>` (a body accepted only with the form token and our own `Origin`),
//! `FormState` (messages next to their fields), and helpers for optional form fields.

use super::*;

#[derive(serde::Deserialize)]
pub(crate) struct CsrfField {
    #[serde(default)]
    csrf: String,
}

/// A form body, accepted only with this session's (or this visitor's) token and from our own
/// origin: a form another site makes a browser send fails here, before anything is read.
pub struct Posted<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for Posted<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, PageError> {
        let (parts, body) = req.into_parts();
        session::check_same_origin(&parts.headers, &state.config.public_origin)
            .map_err(|_| PageError::Api(ApiError::forbidden(FORGED)))?;
        let bytes = axum::body::to_bytes(body, BODY_LIMIT)
            .await
            .map_err(|_| PageError::Api(ApiError::PayloadTooLarge))?;
        let sent: CsrfField = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| PageError::Api(ApiError::forbidden(FORGED)))?;
        let mut expected = vec![];
        if let Some(t) = token_from_headers(&parts.headers).filter(|t| t.via_cookie) {
            expected.push(session_csrf(
                &state.config.form_key,
                &session::hash_token(&t.token),
            ));
        }
        if let Some(c) = cookie(&parts.headers, CSRF_COOKIE) {
            expected.push(c.to_owned());
        }
        if sent.csrf.is_empty() || !expected.iter().any(|e| same(e, &sent.csrf)) {
            return Err(PageError::Api(ApiError::forbidden(FORGED)));
        }
        let value = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| PageError::Api(ApiError::BadRequest(format!("Invalid form: {e}"))))?;
        Ok(Posted(value))
    }
}

pub const FORGED: &str =
    "This form has expired or was not sent from ManagerOS. Go back, reload the page and try again.";

use crate::config::same_code as same;

/// A whole number as typed: none when blank, and one no service accepts (-1) when it is not
/// a whole number, so that the service refuses it with its own message.
pub fn whole_number(raw: &str) -> Option<i64> {
    let raw = raw.trim();
    (!raw.is_empty()).then(|| raw.parse().unwrap_or(-1))
}

/// The version an edit form was showing (its hidden `version` field), as the service's
/// `If-Match`: a form without one writes whatever the version, as the API does.
pub fn shown_version(version: Option<&str>) -> crate::extract::IfMatch {
    version.map_or_else(Default::default, crate::extract::IfMatch::form)
}

/// What a form shows after a refused submission: a message per field (the service's own
/// words), or one for the whole form.
#[derive(Default)]
pub struct FormState {
    pub fields: BTreeMap<String, String>,
    pub message: Option<String>,
    /// Someone else saved the same thing while the form was open.
    pub conflict: Option<Conflict>,
}

impl FormState {
    /// A stale save (409): nothing was saved; the form shows both versions.
    pub fn conflict(c: Conflict) -> (StatusCode, Self) {
        let form = Self {
            conflict: Some(c),
            ..Self::default()
        };
        (StatusCode::CONFLICT, form)
    }

    /// The error of `field`, if any.
    pub fn err(&self, field: &str) -> Option<&str> {
        self.fields.get(field).map(String::as_str)
    }

    pub fn has(&self, field: &str) -> bool {
        self.fields.contains_key(field)
    }

    /// The refusal of a form that writes an entity: the form again with its messages, or an
    /// error page when the form cannot help — the entity itself is missing (`not_found`, its
    /// 404 message) or the caller may not do this at all (403, with authz's reason).
    pub fn refusal(e: ApiError, not_found: Option<&str>) -> Result<(StatusCode, Self), PageError> {
        match e {
            e if not_found.is_some() && e.not_found_message() == not_found => {
                Err(PageError::Api(e))
            }
            e if e.forbidden_message().is_some() => Err(PageError::Api(e)),
            e => Ok((e.status(), Self::from_error(e)?)),
        }
    }

    /// The answer's status: 400 when a field was refused, else 200.
    pub fn status(&self) -> StatusCode {
        if self.fields.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::BAD_REQUEST
        }
    }

    /// A service's refusal, placed next to the fields it names. A 500 is not a form's fault:
    /// it stays an error page.
    pub fn from_error(e: ApiError) -> Result<Self, PageError> {
        match e {
            ApiError::Validation(fields) => Ok(Self {
                fields: fields.into_iter().collect(),
                ..Self::default()
            }),
            ApiError::Internal(_) | ApiError::Unauthorized => Err(PageError::Api(e)),
            other => Ok(Self {
                message: Some(other.to_string()),
                ..Self::default()
            }),
        }
    }
}

/// The caller's organization's people, initiatives and teams by name, for rows and choices
/// (`services::names`: usually from memory, never stale).
pub async fn names(
    state: &AppState,
    ctx: &Ctx,
) -> Result<std::sync::Arc<crate::services::names::Directory>, PageError> {
    let user = ctx.member()?;
    Ok(crate::services::names::of(state, &user.actor(), user.names_version).await?)
}

/// A list whose filters the service may refuse: its rows, or (for a bad filter) none and the
/// messages to show beside the filters. Any other refusal is the page's own (403, 404…).
pub fn listed<T>(
    result: Result<(Vec<T>, manageros_core::PageInfo), ApiError>,
) -> Result<(Vec<T>, manageros_core::PageInfo, FormState), PageError> {
    match result {
        Ok((list, page)) => Ok((list, page, FormState::default())),
        Err(e @ ApiError::Validation(_)) => Ok((
            vec![],
            manageros_core::Page::default().info(0),
            FormState::from_error(e)?,
        )),
        Err(e) => Err(e.into()),
    }
}

/// A form's optional field: trimmed, and empty is none.
pub fn filled(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// A form's optional field in an update: empty clears it (`null` in the API).
pub fn filled_or_cleared(s: &str) -> crate::patch::Patch<String> {
    filled(s).map_or(crate::patch::Patch::Null, crate::patch::Patch::Value)
}
