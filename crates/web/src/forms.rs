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

/// A form's fields by name, in the order the browser sent them (the page's order), as typed:
/// what a refused form shows again, exactly. For an edit form, [`FormValues::of`] fills it from
/// the entity's writable fields; [`FormValues::input`] reads it as the service's input. Both go
/// through serde, so a field the service's input and the store's fields gain needs no code
/// here — only its input in the template.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(transparent)]
pub struct FormValues(Vec<(String, String)>);

impl FormValues {
    /// The form's fields as `fields` holds them: their serde names (the API's camelCase),
    /// `null` as empty, numbers and instants as their text.
    pub fn of(fields: &impl serde::Serialize) -> Self {
        use serde_json::Value;
        let Ok(Value::Object(map)) = serde_json::to_value(fields) else {
            return Self::default();
        };
        Self(
            map.into_iter()
                .map(|(k, v)| {
                    let text = match v {
                        Value::Null => String::new(),
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    (k, text)
                })
                .collect(),
        )
    }

    /// The value of `name` ("" when the form has none).
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Whether `name` holds `value` (a select's chosen option).
    pub fn is(&self, name: &str, value: &str) -> bool {
        self.get(name) == value
    }

    /// The day of `name` as a date input wants it (`YYYY-MM-DD`): an instant's first ten
    /// characters, and a typed value as it was typed.
    pub fn day(&self, name: &str) -> &str {
        as_shown(self.get(name))
    }

    /// Sets `name` to `value` (a default the page's URL chose).
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        self.0.retain(|(k, _)| k != name);
        self.0.push((name.to_owned(), value.into()));
    }

    /// The form as the service's input `T`, read as a browser's form is meant: an empty field
    /// is `null` (cleared, or refused where a value is required), a number is parsed, a field
    /// the form does not have is absent. A value that is not of its field's type (a number
    /// that is not one) is refused next to that field.
    pub fn input<T: serde::de::DeserializeOwned>(&self) -> Result<T, ApiError> {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(self.0.iter().filter(|(k, _)| k != "csrf"))
            .finish();
        let de = serde_html_form::Deserializer::new(url::form_urlencoded::parse(body.as_bytes()));
        serde_path_to_error::deserialize(de).map_err(|e| {
            let field = e.path().to_string();
            ApiError::invalid(&field, "This is not a valid value")
        })
    }

    /// Where the typed form and `theirs` (the entity as saved) differ, field by field in the
    /// form's order, each labelled from its name (`dueDate` → "Due date") and shown by `show`
    /// (which names what an id stands for).
    pub fn conflict(
        &self,
        theirs: &Self,
        by: Option<String>,
        what: &'static str,
        show: impl Fn(&str, &str) -> String,
    ) -> Conflict {
        let mut c = Conflict::new(by, what);
        for (name, yours) in &self.0 {
            if let Some((_, saved)) = theirs.0.iter().find(|(k, _)| k == name) {
                // As the form shows them: a saved instant is the day its date input shows.
                let (saved, yours) = (as_shown(saved), as_shown(yours));
                c = c.field(label(name), &show(name, saved), &show(name, yours));
            }
        }
        c
    }
}

/// A value as a form shows it: an RFC 3339 instant as its day (`YYYY-MM-DD`, what a date input
/// holds), anything else as it is.
fn as_shown(v: &str) -> &str {
    match v.get(..10) {
        Some(day) if manageros_core::Timestamp::parse_rfc3339(v).is_some() => day,
        _ => v,
    }
}

/// A field's name as a person reads it: `dueDate` → "Due date", `assigneeId` → "Assignee".
pub fn label(name: &str) -> String {
    let name = name.strip_suffix("Id").unwrap_or(name);
    let mut out = String::with_capacity(name.len() + 2);
    for (i, c) in name.chars().enumerate() {
        if i == 0 {
            out.extend(c.to_uppercase());
        } else if c.is_uppercase() {
            out.push(' ');
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::patch::Patch;

    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Input {
        #[serde(default)]
        title: Patch<String>,
        #[serde(default)]
        due_date: Patch<String>,
        #[serde(default, deserialize_with = "crate::patch::whole_number::patch")]
        priority: Patch<i64>,
        #[serde(default)]
        assignee_id: Patch<String>,
    }

    fn posted(pairs: &[(&str, &str)]) -> FormValues {
        FormValues(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn a_form_reads_as_the_input_empty_as_null_missing_as_absent() {
        let f = posted(&[
            ("csrf", "t"),
            ("title", "Ship it"),
            ("dueDate", ""),
            ("priority", "2"),
        ]);
        let input: Input = f.input().unwrap();
        assert_eq!(input.title, Patch::Value("Ship it".to_owned()));
        assert_eq!(input.due_date, Patch::Null);
        assert_eq!(input.priority, Patch::Value(2));
        assert_eq!(input.assignee_id, Patch::Absent);
    }

    #[test]
    fn a_value_not_of_its_type_is_refused_next_to_its_field() {
        let f = posted(&[("title", "x"), ("priority", "high")]);
        match f.input::<Input>() {
            Err(ApiError::Validation(fields)) => {
                assert_eq!(fields[0].0, "priority");
            }
            Err(e) => panic!("expected a field error, got {e}"),
            Ok(_) => panic!("expected a field error, got a value"),
        }
    }

    #[test]
    fn values_of_fields_use_the_api_names_and_dates_fit_a_date_input() {
        #[derive(serde::Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Fields {
            title: String,
            due_date: Option<manageros_core::Timestamp>,
            priority: i32,
            assignee_id: Option<String>,
        }
        let due = manageros_core::Timestamp::parse_date_or_time("2030-03-01").unwrap();
        let mut v = FormValues::of(&Fields {
            title: "Ship".into(),
            due_date: Some(due),
            priority: 3,
            assignee_id: None,
        });
        assert_eq!(v.get("title"), "Ship");
        assert_eq!(v.day("dueDate"), "2030-03-01");
        assert!(v.is("priority", "3"));
        assert_eq!(v.get("assigneeId"), "");
        v.set("assigneeId", "person_1");
        assert_eq!(v.get("assigneeId"), "person_1");
        assert_eq!(
            posted(&[("dueDate", "not a date")]).day("dueDate"),
            "not a date"
        );
    }

    #[test]
    fn a_conflict_names_fields_as_people_read_them_in_the_form_order() {
        let typed = posted(&[("title", "B"), ("dueDate", "2030-01-02"), ("csrf", "x")]);
        let saved = posted(&[("dueDate", "2030-01-01"), ("title", "A")]);
        let c = typed.conflict(&saved, None, "this task", |_, v| v.to_owned());
        let labels: Vec<_> = c.fields.iter().map(|f| f.label.as_str()).collect();
        assert_eq!(labels, ["Title", "Due date"]);
        assert_eq!(label("assigneeId"), "Assignee");
    }
}
