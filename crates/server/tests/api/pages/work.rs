//! Pages: tasks, initiatives and meetings.

use super::*;
use manageros_test_macros::db_test;

#[db_test]
async fn tasks_are_listed_moved_on_the_board_and_edited_by_whom_the_rule_allows(app: TestApp) {
    let acme = app.org("acme").await;
    let (pat, pat_person) = app.linked_member(&acme, "Pat", "pat@acme.test").await;
    let (sam, sam_person) = app.linked_member(&acme, "Sam", "sam@acme.test").await;
    let (kim, _) = app.linked_member(&acme, "Kim", "kim@acme.test").await;
    let other = app.org("other").await;
    let theirs = other
        .admin
        .post("/api/tasks", serde_json::json!({"title": "Their task"}))
        .await
        .id("task");

    // Pat creates a task for Sam through the form.
    let mut pb = Browser::signed_in(&app, &pat);
    let form = pb.get("/tasks/new").await;
    assert_eq!(form.status, 200);
    assert!(form.html.contains("Sam"), "people to assign");
    let t = csrf(&form.html);
    let bad = pb
        .post(
            "/tasks",
            &[
                ("csrf", &t),
                ("title", "  "),
                ("priority", "3"),
                ("status", "todo"),
            ],
        )
        .await;
    assert_eq!(bad.status, 400);
    assert!(bad.html.contains("Title is required"));
    let made = pb
        .post(
            "/tasks",
            &[
                ("csrf", &t),
                ("title", "Write the <RFC>"),
                ("priority", "2"),
                ("status", "todo"),
                ("assigneeId", &sam_person),
                ("dueDate", "2030-03-01"),
            ],
        )
        .await;
    assert_eq!(made.status, 303);
    let page_path = made.location.unwrap();
    let id = page_path.trim_start_matches("/tasks/").to_owned();
    let page = pb.get(&page_path).await;
    let escaped = "Write the &#60;RFC&#62;";
    assert!(page.html.contains(escaped), "escaped");
    assert!(!page.html.contains("<RFC>"));
    assert!(page.html.contains("Mar 1, 2030"));
    assert!(page.html.contains(&format!("/tasks/{id}/edit")));

    // The list filters by assignee and status; the board shows it under "To do".
    let list = pb
        .get(&format!("/tasks?assigneeId={sam_person}&status=todo"))
        .await;
    assert!(list.html.contains(escaped));
    let none = pb.get(&format!("/tasks?assigneeId={pat_person}")).await;
    assert!(none.html.contains("No task matches these filters"));
    assert_eq!(pb.get("/tasks?due=someday").await.status, 400);
    let board = pb.get("/tasks/board?due=someday").await;
    assert_eq!(board.status, 400);
    assert!(board.html.contains("due must be one of: overdue, week"));

    // Sam, the assignee, moves it to done from the board with one click.
    let mut sb = Browser::signed_in(&app, &sam);
    let board = sb.get("/tasks/board").await;
    assert_eq!(board.status, 200);
    assert!(
        board
            .html
            .contains(&format!("action=\"/tasks/{id}/status\""))
    );
    let st = csrf(&board.html);
    let moved = sb
        .post(
            &format!("/tasks/{id}/status"),
            &[("csrf", &st), ("status", "done"), ("back", "/tasks/board")],
        )
        .await;
    assert_eq!(moved.status, 303);
    assert_eq!(moved.location.as_deref(), Some("/tasks/board"));
    // A status that does not exist is said where the click was, and changes nothing.
    let odd = sb
        .post(
            &format!("/tasks/{id}/status"),
            &[
                ("csrf", &st),
                ("status", "finished"),
                ("back", "/tasks/board"),
            ],
        )
        .await;
    assert_eq!(odd.status, 303);
    assert!(
        sb.get("/tasks/board")
            .await
            .html
            .contains("Status must be one of")
    );
    let t = pat.get(&format!("/api/tasks/{id}")).await;
    assert_eq!(t.body["task"]["status"], "done");
    // Done, it leaves the list unless asked for (issue 28): "Any status", or "Done".
    let escaped_in = |html: &str| html.contains(escaped);
    assert!(!escaped_in(&pb.get("/tasks").await.html), "done is hidden");
    assert!(escaped_in(&pb.get("/tasks?status=any").await.html));
    assert!(escaped_in(&pb.get("/tasks?status=done").await.html));
    assert_eq!(
        pat.get("/api/tasks?status=open").await.body["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["id"] == id.as_str())
            .count(),
        0,
        "the API's status=open leaves it out too"
    );

    // Kim is neither creator nor assignee: the page says why, and a move changes nothing.
    let mut kb = Browser::signed_in(&app, &kim);
    let page = kb.get(&format!("/tasks/{id}")).await;
    assert!(
        page.html
            .contains("Only the creator or the assignee can edit this task")
    );
    assert!(!page.html.contains(&format!("/tasks/{id}/edit")));
    let kt = csrf(&page.html);
    let refused = kb
        .post(
            &format!("/tasks/{id}/status"),
            &[
                ("csrf", &kt),
                ("status", "todo"),
                ("back", &format!("/tasks/{id}")),
            ],
        )
        .await;
    assert_eq!(refused.status, 303);
    let shown = kb.get(&format!("/tasks/{id}")).await;
    assert!(
        shown
            .html
            .contains("Only the creator or the assignee can edit this task")
    );
    assert_eq!(kb.get(&format!("/tasks/{id}/edit")).await.status, 403);
    assert_eq!(
        pat.get(&format!("/api/tasks/{id}")).await.body["task"]["status"],
        "done"
    );
    // A forged form changes nothing either.
    let forged = sb
        .post(
            &format!("/tasks/{id}/status"),
            &[("csrf", "x"), ("status", "todo")],
        )
        .await;
    assert_eq!(forged.status, 403);

    // Another organization's task is the same 404 page as a missing one, for an admin too.
    let mut ab = Browser::signed_in(&app, &acme.admin);
    for path in [format!("/tasks/{theirs}"), format!("/tasks/{theirs}/edit")] {
        let p = ab.get(&path).await;
        assert_eq!(p.status, 404, "{path}");
        assert!(p.html.contains("Task not found or access denied"));
    }
    let at = csrf(&ab.get("/tasks").await.html);
    assert_eq!(
        ab.post(&format!("/tasks/{theirs}/delete"), &[("csrf", &at)])
            .await
            .status,
        404
    );
    other
        .admin
        .get(&format!("/api/tasks/{theirs}"))
        .await
        .assert_status(200);

    // The creator edits and deletes it.
    let et = csrf(&pb.get(&format!("/tasks/{id}/edit")).await.html);
    let saved = pb
        .post(
            &format!("/tasks/{id}"),
            &[
                ("csrf", &et),
                ("title", "Write the RFC"),
                ("priority", "1"),
                ("status", "doing"),
                ("assigneeId", ""),
                ("dueDate", ""),
            ],
        )
        .await;
    assert_eq!(saved.status, 303);
    let t = pat.get(&format!("/api/tasks/{id}")).await;
    assert_eq!(t.body["task"]["assigneeId"], serde_json::Value::Null);
    assert_eq!(t.body["task"]["priority"], 1);
    let gone = pb
        .post(&format!("/tasks/{id}/delete"), &[("csrf", &et)])
        .await;
    assert_eq!(gone.status, 303);
    pat.get(&format!("/api/tasks/{id}"))
        .await
        .assert_status(404);
}

#[db_test]
async fn initiatives_are_created_by_members_and_edited_by_admins_only(app: TestApp) {
    let acme = app.org("acme").await;
    let (pat, pat_person) = app.linked_member(&acme, "Pat", "pat@acme.test").await;
    let (sam, sam_person) = app.linked_member(&acme, "Sam", "sam@acme.test").await;
    let other = app.org("other").await;
    let theirs = other
        .admin
        .post("/api/initiatives", serde_json::json!({"title": "Theirs"}))
        .await
        .id("initiative");

    let mut pb = Browser::signed_in(&app, &pat);
    let t = csrf(&pb.get("/initiatives/new").await.html);
    let bad = pb
        .post(
            "/initiatives",
            &[
                ("csrf", &t),
                ("title", "Launch"),
                ("confidence", "50"),
                ("startDate", "2030-06-01"),
                ("targetDate", "2030-01-01"),
            ],
        )
        .await;
    assert_eq!(bad.status, 400);
    assert!(
        bad.html
            .contains("Target date must not be before the start date")
    );
    let made = pb
        .post(
            "/initiatives",
            &[
                ("csrf", &t),
                ("title", "Launch"),
                ("status", "in_progress"),
                ("rag", "amber"),
                ("confidence", "70"),
                ("ownerIds", &pat_person),
                ("ownerIds", &sam_person),
            ],
        )
        .await;
    assert_eq!(made.status, 303);
    let path = made.location.unwrap();
    let id = path.trim_start_matches("/initiatives/").to_owned();
    let api = pat.get(&format!("/api/initiatives/{id}")).await;
    assert_eq!(
        api.body["initiative"]["ownerIds"].as_array().unwrap().len(),
        2
    );
    assert_eq!(api.body["initiative"]["rag"], "amber");
    pat.post(
        "/api/tasks",
        serde_json::json!({"title": "Ship it", "initiativeId": id}),
    )
    .await
    .assert_status(201);

    // Its page shows owners, RAG and its tasks; a member may not edit it, and is told why.
    let page = pb.get(&path).await;
    assert!(page.html.contains("Amber") && page.html.contains("70%"));
    assert!(page.html.contains("Ship it"));
    assert!(page.html.contains("Pat") && page.html.contains("Sam"));
    assert!(page.html.contains("Only organization admins"));
    assert!(!page.html.contains(&format!("{path}/edit")));
    assert_eq!(pb.get(&format!("{path}/edit")).await.status, 403);
    let list = pb.get("/initiatives?rag=amber").await;
    assert!(list.html.contains("Launch"));
    let list = pb.get("/initiatives?rag=red").await;
    assert!(list.html.contains("No initiative matches these filters"));

    // The admin edits it: owners replaced by one; another organization's is a 404.
    let mut ab = Browser::signed_in(&app, &acme.admin);
    let edit = ab.get(&format!("{path}/edit")).await;
    assert_eq!(edit.status, 200);
    let at = csrf(&edit.html);
    let saved = ab
        .post(
            &path,
            &[
                ("csrf", &at),
                ("title", "Launch v2"),
                ("status", "done"),
                ("rag", "green"),
                ("confidence", "100"),
                ("ownerIds", &sam_person),
            ],
        )
        .await;
    assert_eq!(saved.status, 303);
    let api = sam.get(&format!("/api/initiatives/{id}")).await;
    assert_eq!(api.body["initiative"]["title"], "Launch v2");
    assert_eq!(
        api.body["initiative"]["ownerIds"],
        serde_json::json!([sam_person])
    );
    for p in [
        format!("/initiatives/{theirs}"),
        format!("/initiatives/{theirs}/edit"),
    ] {
        let r = ab.get(&p).await;
        assert_eq!(r.status, 404, "{p}");
        assert!(r.html.contains("Initiative not found or access denied"));
    }
    assert_eq!(
        ab.post(&format!("/initiatives/{theirs}/delete"), &[("csrf", &at)])
            .await
            .status,
        404
    );
    other
        .admin
        .get(&format!("/api/initiatives/{theirs}"))
        .await
        .assert_status(200);
    let gone = ab.post(&format!("{path}/delete"), &[("csrf", &at)]).await;
    assert_eq!(gone.status, 303);
    sam.get(&format!("/api/initiatives/{id}"))
        .await
        .assert_status(404);
}

#[db_test]
async fn a_private_meeting_is_seen_only_by_whom_the_rule_allows(app: TestApp) {
    let acme = app.org("acme").await;
    let (pat, _) = app.linked_member(&acme, "Pat", "pat@acme.test").await;
    let (sam, sam_person) = app.linked_member(&acme, "Sam", "sam@acme.test").await;
    let (kim, _) = app.linked_member(&acme, "Kim", "kim@acme.test").await;
    let other = app.org("other").await;
    app.link_admin(&other, "Olga").await;
    let theirs = other
        .admin
        .post(
            "/api/meetings",
            serde_json::json!({"title": "Theirs", "scheduledAt": format!("{}T09:00:00Z", app.clock_date(3))}),
        )
        .await
        .id("meeting");

    let mut pb = Browser::signed_in(&app, &pat);
    let t = csrf(&pb.get("/meetings/new").await.html);
    let when = format!("{}T09:30", app.clock_date(2));
    let made = pb
        .post(
            "/meetings",
            &[
                ("csrf", &t),
                ("title", "Salary review"),
                ("scheduledAt", &when),
                ("tzOffset", "-60"),
                ("durationMinutes", "45"),
                ("isPrivate", "on"),
                ("participantIds", &sam_person),
            ],
        )
        .await;
    assert_eq!(made.status, 303);
    let path = made.location.unwrap();
    let id = path.trim_start_matches("/meetings/").to_owned();
    let m = pat.get(&format!("/api/meetings/{id}")).await;
    assert_eq!(m.body["meeting"]["isPrivate"], true);
    assert_eq!(
        m.body["meeting"]["scheduledAt"],
        format!("{}T08:30:00.000Z", app.clock_date(2)),
        "typed in UTC+1"
    );

    // Sam takes part: he sees it and records an occurrence; Kim does not exist for it.
    let mut sb = Browser::signed_in(&app, &sam);
    assert!(sb.get("/meetings").await.html.contains("Salary review"));
    let page = sb.get(&path).await;
    assert!(page.html.contains("Salary review"));
    let st = csrf(&page.html);
    let added = sb
        .post(
            &format!("{path}/instances"),
            &[
                ("csrf", &st),
                ("scheduledAt", &when),
                ("notes", "Agreed **+3%**"),
            ],
        )
        .await;
    assert_eq!(added.status, 303);
    assert!(sb.get(&path).await.html.contains("<strong>+3%</strong>"));
    let mut kb = Browser::signed_in(&app, &kim);
    assert!(!kb.get("/meetings").await.html.contains("Salary review"));
    let hidden = kb.get(&path).await;
    assert_eq!(hidden.status, 404);
    assert!(hidden.html.contains("Meeting not found or access denied"));
    assert_eq!(kb.get(&format!("{path}/edit")).await.status, 404);
    let kt = csrf(&kb.get("/meetings").await.html);
    assert_eq!(
        kb.post(&format!("{path}/delete"), &[("csrf", &kt)])
            .await
            .status,
        404
    );
    // The admin sees it; another organization's meeting is a 404 for them.
    let mut ab = Browser::signed_in(&app, &acme.admin);
    assert_eq!(ab.get(&path).await.status, 200);
    assert_eq!(ab.get(&format!("/meetings/{theirs}")).await.status, 404);
    // Pat deletes it.
    let dt = csrf(&pb.get(&path).await.html);
    assert_eq!(
        pb.post(&format!("{path}/delete"), &[("csrf", &dt)])
            .await
            .status,
        303
    );
    pat.get(&format!("/api/meetings/{id}"))
        .await
        .assert_status(404);
}

/// An occurrence's edit page asks the service for the occurrence with the edit right: whoever
/// may edit the meeting (or takes part in the occurrence) gets the form, a member who only
/// sees the meeting gets the refusal, and another organization's admin the 404 page.
#[db_test]
async fn an_occurrences_edit_page_is_for_whom_may_edit_it(app: TestApp) {
    let o = two_orgs(&app).await;
    let [person, _] = &o.ours;
    let m = o
        .ann
        .post(
            "/api/meetings",
            serde_json::json!({"title": "Weekly sync", "scheduledAt": "2030-01-08T09:00:00Z",
                "durationMinutes": 30, "participantIds": [person]}),
        )
        .await;
    m.assert_status(201);
    let mid = m.body["meeting"]["id"].as_str().unwrap().to_owned();
    let i = o
        .ann
        .post(
            &format!("/api/meetings/{mid}/instances"),
            serde_json::json!({"scheduledAt": "2030-01-08T09:00:00Z", "notes": "Launch date"}),
        )
        .await;
    i.assert_status(201);
    let iid = i.body["meetingInstance"]["id"].as_str().unwrap().to_owned();
    let edit = format!("/meeting-instances/{iid}/edit");

    let page = Browser::signed_in(&app, &o.ann).get(&edit).await;
    assert_eq!(page.status, 200);
    assert!(page.html.contains("Launch date"), "{}", page.html);
    let refused = Browser::signed_in(&app, &o.max).get(&edit).await;
    assert_eq!(refused.status, 403, "{}", refused.html);
    assert_eq!(
        alert(&refused.html),
        "You do not have permission to edit this meeting instance"
    );
    let foreign = Browser::signed_in(&app, &o.eve).get(&edit).await;
    assert_eq!(foreign.status, 404, "{}", foreign.html);
}

/// Two sessions of `who`, each with `task`'s edit form open: how every save-conflict test of a
/// task starts.
async fn two_editors<'a>(
    app: &'a TestApp,
    who: &TestUser,
    task: &str,
) -> ((Browser<'a>, Page), (Browser<'a>, Page)) {
    let edit = format!("/tasks/{task}/edit");
    let mut a = Browser::signed_in(app, who);
    let mut b = Browser::signed_in(app, who);
    let (pa, pb) = (a.get(&edit).await, b.get(&edit).await);
    ((a, pa), (b, pb))
}

/// Issue 26: a task saved by someone else while its form was open. The save comes back (409)
/// naming who changed it, the fields that differ side by side, what was typed kept in the
/// form, which now names their version; saving again from there is applied.
#[db_test]
async fn a_task_saved_meanwhile_comes_back_with_both_versions(app: TestApp) {
    let org = app.org("acme").await;
    let task = org
        .admin
        .post(
            "/api/tasks",
            serde_json::json!({"title": "Ship", "description": "Line one"}),
        )
        .await
        .id("task");
    let save = format!("/tasks/{task}");
    let ((mut a, pa), (mut b, pb)) = two_editors(&app, &org.admin, &task).await;
    assert_eq!(hidden(&pa.html, "version"), "1");
    let form = |page: &str, description: &str, version: &str| {
        vec![
            ("csrf", csrf(page)),
            ("title", "Ship".to_owned()),
            ("description", description.to_owned()),
            ("status", "todo".to_owned()),
            ("priority", "3".to_owned()),
            ("version", version.to_owned()),
        ]
    };
    let fa = form(&pa.html, "Line one\nFrom A", "1");
    let fa: Vec<(&str, &str)> = fa.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(a.post(&save, &fa).await.status, 303);
    let fb = form(&pb.html, "Line one\nFrom B", "1");
    let fb: Vec<(&str, &str)> = fb.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let conflict = b.post(&save, &fb).await;
    assert_eq!(conflict.status, 409, "{}", conflict.html);
    let html = &conflict.html;
    assert!(
        html.contains("Admin of acme changed this task while you were editing"),
        "{html}"
    );
    assert!(
        html.contains("Description: saved by Admin of acme"),
        "{html}"
    );
    assert!(
        !html.contains("Title: saved by"),
        "only the fields that differ: {html}"
    );
    assert!(html.contains("<del>From A"), "{html}");
    assert!(html.contains("<ins>From B"), "{html}");
    assert!(html.contains("Line one\nFrom B</textarea>"), "{html}");
    assert_eq!(hidden(html, "version"), "2");
    let api = format!("/api/tasks/{task}");
    assert_eq!(
        org.admin.get(&api).await.body["task"]["description"],
        "Line one\nFrom A"
    );
    // Saving again from the conflict page, knowing theirs, is applied.
    let fb = form(html, "Line one\nFrom A and B", "2");
    let fb: Vec<(&str, &str)> = fb.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(b.post(&save, &fb).await.status, 303);
    assert_eq!(
        org.admin.get(&api).await.body["task"]["description"],
        "Line one\nFrom A and B"
    );
}

/// Issue 28: an initiative's owner posts a check-in from its page; a refused field comes back
/// next to the field with what was typed, and nothing is saved; the history shows the note as
/// Markdown. A member who does not own it is told who may.
#[db_test]
async fn an_owner_checks_in_from_the_initiative_page(app: TestApp) {
    let acme = app.org("acme").await;
    let (olive, olive_p) = app.linked_member(&acme, "Olive", "olive@acme.test").await;
    let (otto, _) = app.linked_member(&acme, "Otto", "otto@acme.test").await;
    let id = acme
        .admin
        .post(
            "/api/initiatives",
            serde_json::json!({"title": "Launch", "ownerIds": [olive_p]}),
        )
        .await
        .id("initiative");
    let page = format!("/initiatives/{id}");
    let mut ob = Browser::signed_in(&app, &olive);
    let shown = ob.get(&page).await;
    assert_eq!(shown.status, 200);
    assert!(shown.html.contains("No check-in yet."));
    let t = csrf(&shown.html);
    let bad = ob
        .post(
            &format!("{page}/check-ins"),
            &[
                ("csrf", &t),
                ("status", "in_progress"),
                ("rag", "amber"),
                ("confidence", "lots"),
                ("note", "Vendor *late*"),
            ],
        )
        .await;
    assert_eq!(bad.status, 400);
    assert!(bad.html.contains("id=\"confidence-error\""), "{}", bad.html);
    assert!(bad.html.contains("Vendor *late*"), "what was typed is kept");
    assert!(
        ob.get(&page).await.html.contains("No check-in yet."),
        "nothing was saved"
    );
    let good = ob
        .post(
            &format!("{page}/check-ins"),
            &[
                ("csrf", &t),
                ("status", "in_progress"),
                ("rag", "amber"),
                ("confidence", "40"),
                ("note", "Vendor *late*"),
            ],
        )
        .await;
    assert_eq!(good.status, 303);
    // The form of a page shown before that check-in is stale: 412, the page again, nothing saved.
    let stale = ob
        .post(
            &format!("{page}/check-ins"),
            &[
                ("csrf", &t),
                ("rag", "red"),
                ("version", &hidden(&shown.html, "version")),
            ],
        )
        .await;
    assert_eq!(stale.status, 412, "{}", stale.html);
    let after = ob.get(&page).await;
    assert!(
        after
            .html
            .contains("Check-ins <span class=\"muted\">(1)</span>")
    );
    assert!(after.html.contains("<em>late</em>"), "{}", after.html);
    assert!(after.html.contains("40% confident"));

    let mut tb = Browser::signed_in(&app, &otto);
    let theirs = tb.get(&page).await;
    assert!(!theirs.html.contains("Post check-in"));
    assert!(
        theirs.html.contains(
            "Only the initiative&#39;s owners and organization admins can check in on it"
        ) || theirs
            .html
            .contains("Only the initiative's owners and organization admins can check in on it")
    );
    let t = csrf(&theirs.html);
    let refused = tb
        .post(
            &format!("{page}/check-ins"),
            &[("csrf", &t), ("rag", "red")],
        )
        .await;
    assert_eq!(refused.status, 403);
}

/// Issue 28: picking people is a searchable list of check boxes, not a Ctrl/⌘ multi-select:
/// the form shows the chosen ones ticked and first, and `/people/pick` answers a search with
/// the chosen ones and those whose name matches, from the caller's organization only.
#[db_test]
async fn people_are_picked_from_a_searchable_list(app: TestApp) {
    let acme = app.org("acme").await;
    let (pat, pat_p) = app.linked_member(&acme, "Pat Owner", "pat@acme.test").await;
    let sam = app.person(&acme, "Sam Smith", None).await;
    let _kim = app.person(&acme, "Kim Lee", None).await;
    let other = app.org("other").await;
    app.person(&other, "Sam Stranger", None).await;
    let id = acme
        .admin
        .post(
            "/api/initiatives",
            serde_json::json!({"title": "Launch", "ownerIds": [sam]}),
        )
        .await
        .id("initiative");
    let mut ab = Browser::signed_in(&app, &acme.admin);
    let form = ab.get(&format!("/initiatives/{id}/edit")).await;
    assert!(!form.html.contains("multiple"), "no multi-select");
    assert!(
        form.html.contains(&format!(
            r#"<input type="checkbox" name="ownerIds" value="{sam}" checked> Sam Smith"#
        )),
        "{}",
        form.html
    );
    assert!(form.html.contains("hx-get=\"/people/pick?field=ownerIds\""));

    let found = ab
        .get(&format!(
            "/people/pick?field=ownerIds&q=sam&ownerIds={pat_p}"
        ))
        .await;
    assert_eq!(found.status, 200);
    let pat_at = found.html.find("Pat Owner").expect("the chosen one stays");
    let sam_at = found.html.find("Sam Smith").expect("the match");
    assert!(pat_at < sam_at, "chosen first");
    assert!(found.html.contains(&format!(r#"value="{pat_p}" checked"#)));
    assert!(!found.html.contains("Kim Lee"), "not a match");
    assert!(
        !found.html.contains("Sam Stranger"),
        "another organization's"
    );
    let none = ab.get("/people/pick?field=ownerIds&q=zzz").await;
    assert!(none.html.contains("Nobody else is called"));
    assert_eq!(ab.get("/people/pick?field=password&q=a").await.status, 400);
    let mut pb = Browser::signed_in(&app, &pat);
    assert_eq!(
        pb.get("/people/pick?field=participantIds&q=k").await.status,
        200
    );
    let mut stranger = Browser::new(&app);
    assert_eq!(
        stranger.get("/people/pick?field=ownerIds").await.status,
        303
    );
}

/// A conflict names only the fields that differ as the form shows them: not the version
/// (which always differs) and not a due date both sides hold (saved as an instant, typed as a
/// day).
#[db_test]
async fn a_task_conflict_lists_only_what_differs_as_the_form_shows_it(app: TestApp) {
    let org = app.org("acme").await;
    let task = org
        .admin
        .post(
            "/api/tasks",
            serde_json::json!({"title": "Ship", "dueDate": "2030-03-01"}),
        )
        .await
        .id("task");
    let save = format!("/tasks/{task}");
    let ((mut a, pa), (mut b, pb)) = two_editors(&app, &org.admin, &task).await;
    assert!(pa.html.contains("value=\"2030-03-01\""), "{}", pa.html);
    let form = |page: &str, title: &'static str| {
        vec![
            ("csrf", csrf(page)),
            ("title", title.to_owned()),
            ("status", "todo".to_owned()),
            ("priority", "3".to_owned()),
            ("dueDate", "2030-03-01".to_owned()),
            ("version", "1".to_owned()),
        ]
    };
    let fa = form(&pa.html, "Ship it");
    let fa: Vec<(&str, &str)> = fa.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(a.post(&save, &fa).await.status, 303);
    let fb = form(&pb.html, "Ship it now");
    let fb: Vec<(&str, &str)> = fb.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let conflict = b.post(&save, &fb).await;
    assert_eq!(conflict.status, 409, "{}", conflict.html);
    let html = &conflict.html;
    assert!(html.contains("Title: saved by"), "{html}");
    assert!(!html.contains("Due date: saved by"), "{html}");
    assert!(!html.contains("Version: saved by"), "{html}");
    assert_eq!(hidden(html, "version"), "2");
}

/// Issue 30: the task list's assignee filter (and the initiatives' owner filter) does not
/// grow with the organization. Up to 100 people it offers everyone; beyond, the caller and the
/// person chosen, and says where the others' tasks are (their page links to them); the
/// directory's filters offer the first 100 managers and teams, and the one chosen wherever it
/// ranks.
#[db_test]
async fn filters_offer_a_bounded_choice_in_a_large_organization(app: TestApp) {
    use manageros_core::{OrgId, PersonStatus, Timestamp};
    use manageros_store::repo::persons::{self, PersonFields};
    let acme = app.org("acme").await;
    let (pat, pat_person) = app.linked_member(&acme, "Pat", "pat@acme.test").await;
    let zed = app.person(&acme, "Zed Last", None).await;
    let mut pb = Browser::signed_in(&app, &pat);
    let small = pb.get("/tasks").await.html;
    assert!(small.contains(&format!(r#"<option value="{zed}">Zed Last</option>"#)));
    assert!(!small.contains("f-assignee-hint"));

    // 150 more people, each managing the next.
    let org = OrgId::parse(&acme.id).unwrap();
    let txn = manageros_store::begin_write(&app.state.db).await.unwrap();
    let mut last = None;
    for i in 0..150 {
        let fields = PersonFields {
            name: format!("Person {i:03}"),
            email: None,
            role: None,
            status: PersonStatus::Active,
            team_id: None,
            manager_id: last.clone(),
        };
        last = Some(
            persons::insert(&txn, &org, &fields, Timestamp::from_millis(0))
                .await
                .unwrap(),
        );
    }
    txn.commit().await.unwrap();
    let large = pb.get("/tasks").await.html;
    assert!(large.contains(&format!(
        r#"<option value="{pat_person}">Me (Pat)</option>"#
    )));
    assert!(!large.contains("Zed Last"), "not everyone");
    assert!(large.contains(r#"id="f-assignee-hint""#));
    assert_eq!(large.matches("<option value=\"pe").count(), 1, "{large}");
    // The initiatives' owner filter too.
    let initiatives = pb.get("/initiatives").await.html;
    assert!(initiatives.contains(&format!(
        r#"<option value="{pat_person}">Me (Pat)</option>"#
    )));
    assert!(!initiatives.contains("Zed Last") && initiatives.contains(r#"id="f-owner-hint""#));
    let chosen = pb.get(&format!("/tasks?assigneeId={zed}")).await.html;
    assert!(chosen.contains(&format!(
        r#"<option value="{zed}" selected>Zed Last</option>"#
    )));
    // Their page links to their tasks.
    let page = pb.get(&format!("/people/{zed}")).await.html;
    assert!(page.contains(&format!(
        r#"href="/tasks?assigneeId={zed}">Their tasks</a>"#
    )));

    // The directory offers the first 100 managers by name; one past them, when chosen.
    let last = last.unwrap();
    let past = pb.get("/people").await.html;
    assert_eq!(
        past.matches("Person 1").count(),
        0,
        "managers past the first 100"
    );
    let manager_149 = persons::find(&app.state.db, &org, &last)
        .await
        .unwrap()
        .unwrap();
    let by_148 = pb
        .get(&format!(
            "/people?managerId={}",
            manager_149.manager_id.unwrap()
        ))
        .await
        .html;
    assert!(by_148.contains(">Person 148</option>"), "{by_148}");
    assert!(by_148.contains("Person 149"), "the one listed");
}
