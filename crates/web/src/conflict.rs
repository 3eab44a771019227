//! What a form shows when someone else saved the same thing while it was open (a stale
//! write, `ApiError::Stale`): who changed it, and for each field where their saved value and
//! the one typed here differ, both side by side with the differing lines marked. Nothing of
//! either is lost: the typed values stay in the form, which now names their version, so
//! saving again is a choice made knowing both. Shown by `form_error.html`, which every form
//! includes, from [`FormState::conflict`](crate::forms::FormState).

/// A line of a text shown in a conflict, marked when the other text does not have it.
pub struct DiffLine {
    pub text: String,
    pub changed: bool,
}

/// One field whose saved value differs from the typed one.
pub struct FieldConflict {
    pub label: String,
    pub theirs: Vec<DiffLine>,
    pub yours: Vec<DiffLine>,
}

pub struct Conflict {
    /// Who made the change the form did not know about ("Someone else" when unknown).
    pub by: String,
    /// What was changed, as the sentence names it: "this task".
    pub what: &'static str,
    pub fields: Vec<FieldConflict>,
}

/// A text as lines: a browser sends a textarea's lines ended by CRLF and the last one
/// unended, and the same line must compare equal however it was ended.
fn lines(t: &str) -> String {
    let mut t = t.replace("\r\n", "\n");
    if !t.is_empty() && !t.ends_with('\n') {
        t.push('\n');
    }
    t
}

impl Conflict {
    pub fn new(by: Option<String>, what: &'static str) -> Self {
        Self {
            by: by.unwrap_or_else(|| "Someone else".to_owned()),
            what,
            fields: vec![],
        }
    }

    /// Adds a field when its saved value (`theirs`) and the typed one differ.
    pub fn field(mut self, label: impl Into<String>, theirs: &str, yours: &str) -> Self {
        use similar::{ChangeTag, TextDiff};
        let (theirs, yours) = (lines(theirs.trim_end()), lines(yours.trim_end()));
        if theirs == yours {
            return self;
        }
        let diff = TextDiff::from_lines(&theirs, &yours);
        let (mut t, mut y) = (vec![], vec![]);
        for change in diff.iter_all_changes() {
            let line = |changed| DiffLine {
                text: change.value().to_owned(),
                changed,
            };
            match change.tag() {
                ChangeTag::Delete => t.push(line(true)),
                ChangeTag::Insert => y.push(line(true)),
                ChangeTag::Equal => {
                    t.push(line(false));
                    y.push(line(false));
                }
            }
        }
        self.fields.push(FieldConflict {
            label: label.into(),
            theirs: t,
            yours: y,
        });
        self
    }
}

#[cfg(test)]
mod tests {
    use super::{Conflict, DiffLine};

    fn marked(l: &[DiffLine]) -> Vec<(String, bool)> {
        l.iter().map(|d| (d.text.clone(), d.changed)).collect()
    }

    #[test]
    fn lines_ended_differently_are_the_same_line() {
        // As a browser sends the textarea (CRLF, last line unended) against the saved text.
        let c = Conflict::new(Some("Jane".into()), "this one-on-one").field(
            "Notes",
            "## Agenda\n- Q1 goals\n- Hiring: two engineers\n",
            "## Agenda\r\n- Q1 goals\r\n- Feedback",
        );
        let f = &c.fields[0];
        assert_eq!(
            marked(&f.theirs),
            [
                ("## Agenda\n".to_owned(), false),
                ("- Q1 goals\n".to_owned(), false),
                ("- Hiring: two engineers\n".to_owned(), true),
            ]
        );
        assert_eq!(
            marked(&f.yours),
            [
                ("## Agenda\n".to_owned(), false),
                ("- Q1 goals\n".to_owned(), false),
                ("- Feedback\n".to_owned(), true),
            ]
        );
    }

    #[test]
    fn only_the_fields_that_differ_are_shown() {
        let c = Conflict::new(None, "this task")
            .field("Title", "Ship it", "Ship it")
            .field("Status", "Done", "In progress")
            .field("Description", "a\r\nb", "a\nb\n");
        assert_eq!(c.by, "Someone else");
        let labels: Vec<_> = c.fields.iter().map(|f| f.label.as_str()).collect();
        assert_eq!(labels, ["Status"]);
    }
}
