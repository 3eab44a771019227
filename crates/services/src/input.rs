//! What each field of a request accepts, as OpenAPI schemas: the rules the services apply
//! (`manageros_core`'s `single_line`, `bounded_text`, `Email`, `Slug`, the closed sets…)
//! written as JSON Schema, so that a client (or schemathesis, in CI) can tell a valid request
//! from one the server will refuse, in both directions.
//!
//! A request struct keeps its lenient Rust type (`Option<String>`, `Patch<String>`: the
//! service, not serde, names what is wrong in a 400) and points its field here:
//! `#[schema(value_type = input::Name, inline, required = true)]`.
//!
//! Text rules are patterns because the server counts characters *after trimming* and refuses
//! control characters: `maxLength` alone would be wrong both ways. Rules between two fields
//! (an end before a start, two equal participants) are not expressible here; the service
//! answers them with a 400 naming the field.

use manageros_core::{self as domain, authz::Action};
use utoipa::openapi::{
    KnownFormat, RefOr, SchemaFormat,
    schema::{AnyOfBuilder, ArrayBuilder, Object, ObjectBuilder, Schema, SchemaType, Type},
};

/// The whitespace Rust's `str::trim` removes (Unicode `White_Space`), as a class body.
const WS: &str = r"\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";
/// What `single_line` refuses: control characters, the Unicode line separators and the
/// bidirectional controls (`domain::is_bidi_control`).
const NOT_IN_LINE: &str = r"\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069";
/// What `bounded_text` and `long_text` refuse: control characters other than tab and breaks.
const NOT_IN_TEXT: &str = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f";

type S = RefOr<Schema>;

trait IntoRef {
    fn into_ref(self) -> S;
}

impl IntoRef for utoipa::openapi::schema::AnyOf {
    fn into_ref(self) -> S {
        RefOr::T(Schema::AnyOf(self))
    }
}

fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

fn nullable(o: ObjectBuilder) -> ObjectBuilder {
    o.schema_type(SchemaType::from_iter([Type::String, Type::Null]))
}

/// 1..=`max` characters after trimming, none of `refused`: the first and last kept characters
/// are neither whitespace nor refused. `blank_ok`: empty or only whitespace (= none) too.
fn trimmed(refused: &str, max: usize, blank_ok: bool) -> ObjectBuilder {
    let core = format!(
        "[^{WS}{refused}](?:[^{refused}]{{0,{}}}[^{WS}{refused}])?",
        max - 2
    );
    let pattern = if blank_ok {
        format!("^[{WS}]*(?:{core})?[{WS}]*$")
    } else {
        format!("^[{WS}]*{core}[{WS}]*$")
    };
    let s = string().pattern(Some(pattern));
    if blank_ok { s } else { s.min_length(Some(1)) }
}

/// One line (`single_line(1, max)`).
fn line(max: usize) -> ObjectBuilder {
    trimmed(NOT_IN_LINE, max, false)
}

/// An optional line: blank or `null` means none.
fn optional_line(max: usize) -> S {
    nullable(trimmed(NOT_IN_LINE, max, true)).build().into()
}

/// Text that may span lines (`bounded_text(1, max)`).
fn text(max: usize) -> ObjectBuilder {
    trimmed(NOT_IN_TEXT, max, false)
}

/// Optional text: blank or `null` means none.
fn optional_text(max: usize) -> S {
    nullable(trimmed(NOT_IN_TEXT, max, true)).build().into()
}

fn one_of<T: Copy>(all: &[T], text: fn(T) -> &'static str) -> ObjectBuilder {
    string().enum_values(Some(all.iter().map(|v| text(*v))))
}

fn or_null(o: ObjectBuilder, values: impl IntoIterator<Item = serde_json::Value>) -> S {
    // A nullable enum lists `null` among its values (JSON Schema 2020-12).
    let o = nullable(o).build();
    let mut values_with_null: Vec<serde_json::Value> = values.into_iter().collect();
    values_with_null.push(serde_json::Value::Null);
    let mut o: Object = o;
    o.enum_values = Some(values_with_null);
    o.into()
}

fn array(items: impl Into<S>, max: Option<usize>) -> ArrayBuilder {
    ArrayBuilder::new().items(items.into()).max_items(max)
}

fn nullable_array(a: ArrayBuilder) -> S {
    a.schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
        .build()
        .into()
}

/// `Email::parse`, the ASCII part of it (the server also takes Unicode letters and digits).
fn email_builder() -> ObjectBuilder {
    const ATOM: &str = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]";
    const LABEL: &str = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,20}[A-Za-z0-9])?";
    string()
        .max_length(Some(domain::Email::MAX_LEN))
        .pattern(Some(format!(
            r"^{ATOM}{{1,20}}(?:\.{ATOM}{{1,20}}){{0,2}}@{LABEL}(?:\.{LABEL}){{1,3}}$"
        )))
}

fn date_or_time_builder() -> AnyOfBuilder {
    // `tasks::date` and friends: an RFC 3339 timestamp with an offset, or a day `YYYY-MM-DD`.
    AnyOfBuilder::new()
        .item(
            string()
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
                .build(),
        )
        .item(
            string()
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
                .build(),
        )
}

// ---- the schemas fields point at (through the types at the end) -----------------------------

/// A display name: one line of 1–100 characters (`Name::parse`).
fn name() -> S {
    line(100).build().into()
}
/// A title (task, initiative, meeting, campaign, report): one line of 1–200 characters.
fn title() -> S {
    line(200).build().into()
}
/// A report's new name; `null` leaves it.
fn title_or_null() -> S {
    nullable(line(200)).build().into()
}
/// A talking point: one line of 1–500 characters.
fn point_text() -> S {
    line(500).build().into()
}
/// A job title: one line of up to 100 characters; blank or `null` is none.
fn job_title() -> S {
    optional_line(100)
}
/// A meeting's location: one line of up to 200 characters; blank or `null` is none.
fn location() -> S {
    optional_line(200)
}
/// A team's description, up to 2,000 characters; blank or `null` is none.
fn team_description() -> S {
    optional_text(2000)
}
/// An initiative check-in's note, up to 2,000 characters; blank or `null` is none.
fn check_in_note() -> S {
    optional_text(2000)
}
/// A description or summary, up to 10,000 characters; blank or `null` is none.
fn description() -> S {
    optional_text(10_000)
}
/// A meeting instance's notes, up to 20,000 characters; blank or `null` is none.
fn instance_notes() -> S {
    optional_text(20_000)
}
/// Feedback's text: 1–10,000 characters after trimming.
fn feedback_body() -> S {
    text(10_000).build().into()
}
/// Notes kept as typed (one-on-one notes, private notes): up to 20,000 characters.
fn notes() -> S {
    nullable(string())
        .max_length(Some(20_000))
        .pattern(Some(format!("^[^{NOT_IN_TEXT}]*$")))
        .build()
        .into()
}
/// A campaign's questions: 1–20, each 1–500 characters.
fn questions() -> S {
    array(text(500).build(), Some(20)).build().into()
}
/// A campaign's new questions: 1–20 (an empty list is refused), each 1–500 characters.
fn questions_update() -> S {
    array(text(500).build(), Some(20))
        .min_items(Some(1))
        .build()
        .into()
}
/// A respondent's answers, in the order of the questions: each up to 5,000 characters.
fn answers() -> S {
    array(trimmed(NOT_IN_TEXT, 5000, true).build(), Some(20))
        .build()
        .into()
}

/// An email address (`Email::parse`).
fn email() -> S {
    email_builder().build().into()
}
/// A person's email: an address, or blank / `null` for none.
fn optional_email() -> S {
    AnyOfBuilder::new()
        .item(ObjectBuilder::new().schema_type(Type::Null).build())
        .item(email_builder().build())
        .item(string().pattern(Some(format!("^[{WS}]*$"))).build())
        .build()
        .into_ref()
}
/// Who to ask in a campaign: up to 200 addresses.
fn invite_emails() -> S {
    array(email_builder().build(), Some(200)).build().into()
}
/// A campaign's new invitees: up to 200 addresses; `null` is none.
fn invite_emails_or_null() -> S {
    nullable_array(array(email_builder().build(), Some(200)))
}
/// A new password: 8–128 characters, kept exactly as typed.
fn password() -> S {
    string()
        .min_length(Some(8))
        .max_length(Some(128))
        .build()
        .into()
}
/// An organization's slug: 2–50 of `a-z`, `0-9` and single inner hyphens.
fn slug() -> S {
    string()
        .min_length(Some(2))
        .max_length(Some(50))
        .pattern(Some(r"^[a-z0-9]+(?:-[a-z0-9]+)*$"))
        .build()
        .into()
}
/// A token from an emailed link.
fn token() -> S {
    string()
        .min_length(Some(1))
        .pattern(Some(r"^\S+$"))
        .build()
        .into()
}
/// The id of something in the caller's organization (one of another, or of nothing, is 404).
fn id() -> S {
    token()
}
/// An optional reference: blank or `null` is none; an id of nothing is 404.
fn optional_id() -> S {
    nullable(string()).build().into()
}
/// People named in a list (`participantIds`, `ownerIds`): at most 200, duplicates dropped.
fn people() -> S {
    array(string().build(), Some(crate::refs::MAX_PEOPLE))
        .build()
        .into()
}
/// People that replace a list; `null` empties it.
fn people_or_null() -> S {
    nullable_array(array(string().build(), Some(crate::refs::MAX_PEOPLE)))
}
/// Ids chosen from a list the caller was shown (at most 500); `null` is none.
fn chosen_ids() -> S {
    nullable_array(array(string().build(), Some(crate::handoffs::MAX_CHOSEN)))
}
/// Ids in their new order.
fn ids() -> S {
    array(string().build(), None).build().into()
}

/// A timestamp (RFC 3339, with an offset).
fn timestamp() -> S {
    string()
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
        .build()
        .into()
}
/// A date: RFC 3339 with an offset, or `YYYY-MM-DD` (the start of that UTC day).
fn date() -> S {
    date_or_time_builder().build().into_ref()
}
/// An optional date; `null` is none.
fn optional_date() -> S {
    date_or_time_builder()
        .item(ObjectBuilder::new().schema_type(Type::Null).build())
        .build()
        .into_ref()
}
/// An optional time zone; blank or `null` is none.
fn optional_time_zone() -> S {
    AnyOfBuilder::new()
        .item(time_zone())
        .item(string().enum_values(Some([""])).build())
        .item(ObjectBuilder::new().schema_type(Type::Null).build())
        .build()
        .into_ref()
}
/// How often a recurring schedule repeats.
fn required_cadence() -> S {
    string()
        .enum_values(Some(
            manageros_core::Cadence::ALL.iter().map(|c| c.as_str()),
        ))
        .build()
        .into()
}
/// A calendar date `YYYY-MM-DD`.
fn calendar_date() -> S {
    string()
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
        .pattern(Some(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))
        .build()
        .into()
}
/// An optional calendar date; blank or `null` is none.
fn optional_calendar_date() -> S {
    AnyOfBuilder::new()
        .item(calendar_date())
        .item(string().enum_values(Some([""])).build())
        .item(ObjectBuilder::new().schema_type(Type::Null).build())
        .build()
        .into_ref()
}
/// A local time of day `HH:MM` (24-hour).
fn local_time() -> S {
    string()
        .pattern(Some(r"^([01][0-9]|2[0-3]):[0-5][0-9]$"))
        .build()
        .into()
}
/// A time zone of the IANA database.
fn time_zone() -> S {
    string()
        .enum_values(Some(chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name())))
        .build()
        .into()
}

macro_rules! closed_sets {
    ($($(#[$doc:meta])* $required:ident, $optional:ident: $ty:ty;)+) => {$(
        $(#[$doc])*
        pub fn $required() -> S {
            one_of(<$ty>::ALL, <$ty>::as_str).build().into()
        }
        $(#[$doc])*
        /// `null` (or absent) takes the default.
        pub fn $optional() -> S {
            or_null(one_of(<$ty>::ALL, <$ty>::as_str), <$ty>::ALL.iter().map(|v| v.as_str().into()))
        }
    )+};
}

closed_sets! {
    /// A person's status.
    person_status, optional_person_status: domain::PersonStatus;
    /// A task's status.
    task_status, optional_task_status: domain::TaskStatus;
    /// An initiative's status.
    initiative_status, optional_initiative_status: domain::InitiativeStatus;
    /// Red, amber or green.
    rag, optional_rag: domain::Rag;
    /// The kind of a piece of feedback.
    feedback_kind, optional_feedback_kind: domain::FeedbackKind;
    /// A campaign's status.
    campaign_status, optional_campaign_status: domain::CampaignStatus;
    /// The kind of a report.
    report_kind, optional_report_kind: domain::ReportKind;
    /// A member's role.
    role, optional_role: domain::Role;
}

/// How often a pair means to meet; blank or `null` is none.
fn cadence() -> S {
    let values = manageros_core::Cadence::ALL
        .iter()
        .map(|c| serde_json::Value::from(c.as_str()))
        .chain([serde_json::Value::from("")]);
    or_null(string(), values)
}

/// A permission action, as `GET /api/me/permissions/check?action=` takes it.
fn action() -> S {
    string()
        .enum_values(Some(Action::ALL.iter().map(|a| a.as_str())))
        .build()
        .into()
}

// ---- query parameters ------------------------------------------------------------------------

/// `page`: a whole number from 1 (the default).
fn page() -> S {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(1))
        .maximum(Some(manageros_core::Page::MAX_PAGE))
        .build()
        .into()
}
/// `limit`: a whole number from 1 to 100 (default 20).
fn limit() -> S {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(1))
        .maximum(Some(manageros_core::Page::MAX_LIMIT))
        .build()
        .into()
}
/// `search`: up to 200 characters after trimming, without control characters; blank is none.
fn search() -> S {
    trimmed(NOT_IN_TEXT, 200, true).build().into()
}
/// A filter by one value of a closed set; blank or absent is no filter.
fn filter_of(values: impl Iterator<Item = &'static str>) -> S {
    string()
        .enum_values(Some(values.chain([""])))
        .build()
        .into()
}
fn person_status_filter() -> S {
    filter_of(domain::PersonStatus::ALL.iter().map(|v| v.as_str()))
}
fn task_status_filter() -> S {
    filter_of(
        domain::TaskStatus::ALL
            .iter()
            .map(|v| v.as_str())
            .chain([crate::tasks::OPEN]),
    )
}
fn initiative_status_filter() -> S {
    filter_of(domain::InitiativeStatus::ALL.iter().map(|v| v.as_str()))
}
fn rag_filter() -> S {
    filter_of(domain::Rag::ALL.iter().map(|v| v.as_str()))
}
fn feedback_kind_filter() -> S {
    filter_of(domain::FeedbackKind::ALL.iter().map(|v| v.as_str()))
}
fn campaign_status_filter() -> S {
    filter_of(domain::CampaignStatus::ALL.iter().map(|v| v.as_str()))
}
fn task_sort_name() -> S {
    filter_of(crate::tasks::SORTS.iter().map(|(name, _)| *name))
}
fn audit_kind_filter() -> S {
    filter_of(
        manageros_store::repo::audit::Kind::ALL
            .iter()
            .map(|k| k.as_str()),
    )
}

/// `sort` of the one-on-ones list: one to three distinct fields of `scheduledAt`, `manager`,
/// `report`, each optionally `:asc` or `:desc`, comma-separated; blank is the default.
fn oneonone_sort() -> S {
    const FIELDS: [&str; 3] = ["scheduledAt", "manager", "report"];
    let key = |f: &str| format!("[{WS}]*{f}(?:[{WS}]*:[{WS}]*(?:asc|desc))?[{WS}]*");
    let mut orders: Vec<String> = Vec::new();
    for a in FIELDS {
        orders.push(key(a));
        for b in FIELDS.iter().filter(|b| **b != a) {
            orders.push(format!("{},{}", key(a), key(b)));
            for c in FIELDS.iter().filter(|c| **c != a && *c != b) {
                orders.push(format!("{},{},{}", key(a), key(b), key(c)));
            }
        }
    }
    string()
        .pattern(Some(format!("^[{WS}]*(?:{})?[{WS}]*$", orders.join("|"))))
        .build()
        .into()
}

// ---- what the derive cannot say --------------------------------------------------------------

/// Rules the derives cannot express, applied to the finished document:
/// - `immutableFilters` is a JSON object carried in a query string (`content`, not `schema`);
/// - a new report's `parameters` depend on its `kind`.
///
/// A report *update*'s `parameters` depend on the kind stored, which no schema can know: the
/// document says only "an object", and the server names an unknown parameter in a 400.
pub fn refine(doc: &mut serde_json::Value) {
    use serde_json::json;
    // A schema is plain data: it always serializes.
    let value = |s: S| serde_json::to_value(s).unwrap_or_default();
    let optional_date = value(optional_date());

    if let Some(params) = doc
        .pointer_mut("/paths/~1api~1oneonones/get/parameters")
        .and_then(|p| p.as_array_mut())
    {
        for p in params
            .iter_mut()
            .filter(|p| p["name"] == "immutableFilters")
        {
            let search = value(search());
            if let Some(p) = p.as_object_mut() {
                p.remove("schema");
            }
            p["content"] = json!({"application/json": {"schema": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "scheduledFrom": optional_date,
                    "scheduledTo": optional_date,
                    "search": {"anyOf": [search, {"type": "null"}]},
                },
            }}});
        }
    }

    if let Some(report) = doc.pointer_mut("/components/schemas/CreateReportRequest") {
        let optional_id = value(optional_id());
        let parameters = |properties: serde_json::Value| json!({"type": ["object", "null"], "additionalProperties": false, "properties": properties});
        report["oneOf"] = json!([
            {"properties": {
                "kind": {"const": domain::ReportKind::OneOnOneCadence.as_str()},
                "parameters": parameters(json!({"from": optional_date, "to": optional_date})),
            }},
            {"properties": {
                "kind": {"const": domain::ReportKind::TaskStatus.as_str()},
                "parameters": parameters(json!({"assigneeId": optional_id, "initiativeId": optional_id})),
            }},
        ]);
    }
}

/// The types request fields name (`value_type = input::Title, inline`), each standing for
/// the schema of the function it is given. Inlined, so the document has no component per
/// rule, and the field keeps its own documentation.
macro_rules! schema_types {
    ($($ty:ident = $f:ident;)+) => {$(
        pub struct $ty;
        impl utoipa::PartialSchema for $ty {
            fn schema() -> S {
                $f()
            }
        }
        impl utoipa::ToSchema for $ty {}
    )+};
}

schema_types! {
    PageNumber = page;
    PageSize = limit;
    Search = search;
    DateOrTime = date;
    OneOnOneSort = oneonone_sort;
    ActionName = action;
    PersonStatusFilter = person_status_filter;
    TaskStatusFilter = task_status_filter;
    InitiativeStatusFilter = initiative_status_filter;
    RagFilter = rag_filter;
    FeedbackKindFilter = feedback_kind_filter;
    CampaignStatusFilter = campaign_status_filter;
    AuditKindFilter = audit_kind_filter;
    TaskSortName = task_sort_name;
    Answers = answers;
    Cadence = cadence;
    CalendarDate = calendar_date;
    RequiredCadence = required_cadence;
    OptionalCalendarDate = optional_calendar_date;
    LocalTime = local_time;
    TimeZone = time_zone;
    OptionalTimeZone = optional_time_zone;
    CampaignStatus = campaign_status;
    CheckInNote = check_in_note;
    ChosenIds = chosen_ids;
    Description = description;
    Email = email;
    FeedbackBody = feedback_body;
    FeedbackKind = feedback_kind;
    Id = id;
    Ids = ids;
    InitiativeStatus = initiative_status;
    InstanceNotes = instance_notes;
    InviteEmails = invite_emails;
    InviteEmailsOrNull = invite_emails_or_null;
    JobTitle = job_title;
    Location = location;
    Name = name;
    Notes = notes;
    OptionalCampaignStatus = optional_campaign_status;
    OptionalDate = optional_date;
    OptionalEmail = optional_email;
    OptionalFeedbackKind = optional_feedback_kind;
    OptionalId = optional_id;
    OptionalInitiativeStatus = optional_initiative_status;
    OptionalPersonStatus = optional_person_status;
    OptionalRag = optional_rag;
    OptionalReportKind = optional_report_kind;
    OptionalTaskStatus = optional_task_status;
    Password = password;
    People = people;
    PeopleOrNull = people_or_null;
    PersonStatus = person_status;
    PointText = point_text;
    Questions = questions;
    QuestionsUpdate = questions_update;
    Rag = rag;
    ReportKind = report_kind;
    Role = role;
    Slug = slug;
    TaskStatus = task_status;
    TeamDescription = team_description;
    Timestamp = timestamp;
    Title = title;
    TitleOrNull = title_or_null;
    Token = token;
}
