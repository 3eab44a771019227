//! Picking several people (an initiative's owners, a meeting's participants): a list of
//! check boxes with the chosen ones first, and a search box that narrows it as one types —
//! htmx asks `/people/pick` for the chosen people and those whose name matches, and swaps
//! the list. Without script the whole list is there to tick. The names come from the
//! organization's directory (`services::names`), so a search costs no query.

use super::{Ctx, PageError, names, oneonones::Choice};
use crate::state::AppState;
use askama::Template;
use axum::{
    extract::{RawQuery, State},
    response::Response,
};

/// The fields that pick people.
#[derive(Clone, Copy)]
pub enum Field {
    Owners,
    Participants,
}

impl Field {
    /// The form field the ticks are sent as.
    fn name(self) -> &'static str {
        match self {
            Field::Owners => "ownerIds",
            Field::Participants => "participantIds",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "ownerIds" => Some(Field::Owners),
            "participantIds" => Some(Field::Participants),
            _ => None,
        }
    }
}

/// One picker as a form shows it.
pub struct Picker {
    /// The form field the ticks are sent as.
    pub name: &'static str,
    /// Its element id (the error's is `<id>-error`).
    pub id: &'static str,
    pub label: &'static str,
    pub chosen: Vec<Choice>,
    /// The other people shown: everyone, or those matching the search (the first
    /// [`SHOWN`] by name).
    pub others: Vec<Choice>,
    /// How many more match than are shown (a search narrows them).
    pub more: usize,
    /// The search typed, if any.
    pub search: String,
    pub invalid: bool,
}

/// Up to this many people, a list's filter by person (a task's assignee, an initiative's
/// owner) offers everyone; beyond, the caller and the person chosen, so the page does not grow
/// with the organization (each person's page links to their tasks).
pub const FILTER_PEOPLE: usize = 100;

/// A filter by person's choices as `(id, name)`: everyone in an organization of at most
/// [`FILTER_PEOPLE`], else "Me" and the person `chosen`; and whether that is everyone.
pub fn person_filter(
    names: &crate::services::names::Directory,
    me: Option<&manageros_core::PersonId>,
    chosen: Option<&str>,
) -> (Vec<(String, String)>, bool) {
    if names.people.len() <= FILTER_PEOPLE {
        let all = names.people.iter().map(|c| (c.id.clone(), c.name.clone()));
        return (all.collect(), true);
    }
    let mut choices = vec![];
    let me = me.map(ToString::to_string);
    if let Some(me) = &me {
        let name = names.person(me).unwrap_or("you");
        choices.push((me.clone(), format!("Me ({name})")));
    }
    if let Some(chosen) = chosen.filter(|c| !c.is_empty())
        && me.as_deref() != Some(chosen)
    {
        let name = names.person(chosen).unwrap_or("Someone else");
        choices.push((chosen.to_owned(), name.to_owned()));
    }
    (choices, false)
}

/// The most people a picker lists besides the chosen ones: the page does not grow with the
/// organization; the search finds the others.
pub const SHOWN: usize = 200;

impl Picker {
    pub fn new(field: Field, people: &[Choice], chosen: &[String], search: &str) -> Self {
        let (id, label) = match field {
            Field::Owners => ("owners", "Owners"),
            Field::Participants => ("participants", "Participants"),
        };
        let name = field.name();
        let needle = search.trim().to_lowercase();
        let (chosen_people, others): (Vec<&Choice>, Vec<&Choice>) =
            people.iter().partition(|p| chosen.contains(&p.id));
        let mut others: Vec<Choice> = others
            .into_iter()
            .filter(|p| needle.is_empty() || p.name.to_lowercase().contains(&needle))
            .cloned()
            .collect();
        let more = others.len().saturating_sub(SHOWN);
        others.truncate(SHOWN);
        Self {
            name,
            id,
            label,
            chosen: chosen_people.into_iter().cloned().collect(),
            others,
            more,
            search: search.trim().to_owned(),
            invalid: false,
        }
    }

    /// Marks the field as refused (its message is shown under it).
    pub fn invalid(mut self, yes: bool) -> Self {
        self.invalid = yes;
        self
    }
}

#[derive(Template)]
#[template(path = "people/pick.html")]
struct Choices {
    picker: Picker,
}

/// `GET /people/pick?field=ownerIds&q=…&ownerIds=…`: the chosen people and those whose name
/// holds `q`, as the list the picker swaps in.
pub async fn pick(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(raw.as_deref().unwrap_or_default()).unwrap_or_default();
    let field = pairs
        .iter()
        .find(|(k, _)| k == "field")
        .and_then(|(_, v)| Field::parse(v))
        .ok_or_else(|| {
            crate::error::ApiError::invalid("field", "Pick ownerIds or participantIds")
        })?;
    let chosen: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == field.name())
        .map(|(_, v)| v.clone())
        .collect();
    let q = pairs
        .iter()
        .find(|(k, _)| k == "q")
        .map(|(_, v)| v.chars().take(200).collect::<String>())
        .unwrap_or_default();
    let names = names(&state, &ctx).await?;
    Ok(ctx.render(&Choices {
        picker: Picker::new(field, &names.people, &chosen, &q),
    }))
}
