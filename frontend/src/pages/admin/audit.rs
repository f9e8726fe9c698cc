//! `/admin/audit` (A6): every change staff made, newest first: when, who, the action,
//! its target, the reason, and what changed (compact, with the full state before and
//! after behind a disclosure). Filters: action, target type and id, actor. Admins only.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use partnerly_domain::FieldErrors;
use partnerly_domain::audit::{AuditEntry, AuditPage as AuditLogPage};
use serde_json::Value;

use super::AdminHeader;
use crate::api::ApiFailure;
use crate::api::admin::{self, ListQuery};
use crate::components::fetch::Fetch;
use crate::components::form::{FormAlert, TextField, field_error};
use crate::components::layout::Loaded;
use crate::components::pager::Pager;
use crate::components::table::{Column, DataTable};
use crate::format::format_datetime;
use crate::session::use_session;

/// Entries per page.
const PER_PAGE: u32 = 25;
/// How many changed fields an entry lists before "and N more".
const SHOWN_CHANGES: usize = 4;
/// How much of a value a change shows.
const VALUE_CHARS: usize = 40;

/// The filters as typed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Filters {
    action: String,
    target_type: String,
    target_id: String,
    actor_id: String,
}

impl Filters {
    /// The API's filters; ids that are not numbers are field errors.
    fn to_query(&self, page: u32) -> Result<ListQuery, FieldErrors> {
        let mut errors = FieldErrors::new();
        for (field, raw) in [("target_id", &self.target_id), ("actor_id", &self.actor_id)] {
            let raw = raw.trim();
            if !raw.is_empty() && raw.parse::<i64>().is_err() {
                errors.insert(field.to_owned(), "Enter a number, like 12.".to_owned());
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ListQuery {
            filters: vec![
                ("action", self.action.clone()),
                ("target_type", self.target_type.clone()),
                ("target_id", self.target_id.clone()),
                ("actor_id", self.actor_id.clone()),
            ],
            page,
            per_page: PER_PAGE,
        })
    }

    fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// The filters and the log.
#[component]
pub fn AuditPage() -> impl IntoView {
    let session = use_session();
    let filters = RwSignal::new(Filters::default());
    let page = RwSignal::new(1_u32);
    let log = Fetch::new(move || {
        let query = filters.with(|f| f.to_query(page.get()));
        async move {
            let query = query.map_err(ApiFailure::from_fields)?;
            admin::audit_log(session, &query).await
        }
    });
    // The last load's field errors go beside the filters.
    let failure = Signal::derive(move || log.failure().filter(|f| !f.field_errors().is_empty()));
    let on_turn = Callback::new(move |to: u32| page.set(to));

    view! {
        <div class="page page-wide">
            <AdminHeader
                title="Audit log"
                intro="Who changed what and when, with the state before and after."
            />
            <FilterForm filters page failure />
            <Loaded
                what="the audit log"
                data=log
                render=move |entries: AuditLogPage| view! { <AuditTable entries on_turn filters /> }
            />
        </div>
    }
}

/// Action, target type, target id and actor; applied together.
#[component]
fn FilterForm(
    /// The applied filters.
    filters: RwSignal<Filters>,
    /// The page, back to 1 when the filters change.
    page: RwSignal<u32>,
    /// The last load's failure, for the messages beside the fields.
    failure: Signal<Option<ApiFailure>>,
) -> impl IntoView {
    let action = RwSignal::new(String::new());
    let target_type = RwSignal::new(String::new());
    let target_id = RwSignal::new(String::new());
    let actor_id = RwSignal::new(String::new());
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        page.set(1);
        filters.set(Filters {
            action: action.get_untracked(),
            target_type: target_type.get_untracked(),
            target_id: target_id.get_untracked(),
            actor_id: actor_id.get_untracked(),
        });
    };
    let clear = move |_| {
        for field in [action, target_type, target_id, actor_id] {
            field.set(String::new());
        }
        page.set(1);
        filters.set(Filters::default());
    };
    view! {
        <form class="panel audit-filters" role="search" aria-label="Filter the audit log" on:submit=on_submit>
            <FormAlert failure fields=&["action", "target_type", "target_id", "actor_id"] />
            <div class="filter-grid">
                <TextField
                    id="audit-action"
                    label="Action"
                    value=action
                    error=field_error(failure, "action")
                    hint="Like level.update"
                />
                <TextField
                    id="audit-target-type"
                    label="Target type"
                    value=target_type
                    error=field_error(failure, "target_type")
                    hint="Like program, api_key"
                />
                <TextField
                    id="audit-target-id"
                    label="Target id"
                    value=target_id
                    error=field_error(failure, "target_id")
                    inputmode="numeric"
                />
                <TextField
                    id="audit-actor-id"
                    label="Actor id"
                    value=actor_id
                    error=field_error(failure, "actor_id")
                    inputmode="numeric"
                />
            </div>
            <div class="form-actions">
                <button type="submit" class="button button-primary">
                    "Apply filters"
                </button>
                <button type="button" class="button button-quiet" on:click=clear>
                    "Clear"
                </button>
            </div>
        </form>
    }
}

/// A value, short: strings as they are, everything else as JSON, cut at
/// [`VALUE_CHARS`].
fn short(value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Null => "none".to_owned(),
        other => other.to_string(),
    };
    if text.chars().count() > VALUE_CHARS {
        let cut: String = text.chars().take(VALUE_CHARS - 1).collect();
        format!("{cut}…")
    } else {
        text
    }
}

/// What an entry changed, in a few words: "Created", "Deleted", or the fields whose
/// value differs: `name: Iron → Bronze`.
fn change_summary(before: Option<&Value>, after: Option<&Value>) -> Vec<String> {
    match (before, after) {
        (None, Some(_)) => vec!["Created".to_owned()],
        (Some(_), None) => vec!["Deleted".to_owned()],
        (None, None) => Vec::new(),
        (Some(Value::Object(old)), Some(Value::Object(new))) => {
            let mut keys = old.keys().chain(new.keys()).collect::<Vec<_>>();
            keys.sort();
            keys.dedup();
            keys.into_iter()
                // When an object was saved is not news.
                .filter(|key| key.as_str() != "updated_at")
                .filter_map(|key| {
                    let (a, b) = (old.get(key), new.get(key));
                    (a != b).then(|| {
                        format!(
                            "{key}: {} → {}",
                            a.map_or_else(|| "none".to_owned(), short),
                            b.map_or_else(|| "none".to_owned(), short)
                        )
                    })
                })
                .collect()
        }
        (Some(a), Some(b)) if a == b => vec!["No change".to_owned()],
        (Some(a), Some(b)) => vec![format!("{} → {}", short(a), short(b))],
    }
}

/// Pretty JSON for the disclosure.
fn pretty(value: Option<&Value>) -> String {
    value.map_or_else(
        || "—".to_owned(),
        |v| serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string()),
    )
}

/// One page of the log.
#[component]
fn AuditTable(
    /// The page.
    entries: AuditLogPage,
    /// Goes to another page.
    on_turn: Callback<u32>,
    /// The applied filters, to say why the page may be empty.
    filters: RwSignal<Filters>,
) -> impl IntoView {
    if entries.total == 0 {
        let filtered = !filters.with_untracked(Filters::is_empty);
        return view! {
            <div class="panel empty-state">
                <p class="empty-title">
                    {if filtered { "No entries match these filters" } else { "Nothing recorded yet" }}
                </p>
                <p class="muted">"Changes staff make to programs, keys, webhooks and balances appear here."</p>
            </div>
        }
        .into_any();
    }
    let rows = entries
        .items
        .into_iter()
        .map(|entry| view! { <AuditRow entry /> })
        .collect_view();
    let pager = view! {
        <Pager
            total=entries.total
            page=entries.page
            per_page=entries.per_page
            noun=("entry", "entries")
            on_turn
        />
    }
    .into_any();
    view! {
        <DataTable
            caption="Audit log, newest first"
            columns=&[
                Column::Text("When"),
                Column::Text("Who"),
                Column::Text("Action"),
                Column::Text("Target"),
                Column::Text("Change"),
            ]
            class="data-table audit"
            footer=pager
        >
            {rows}
        </DataTable>
    }
    .into_any()
}

/// One entry; the full before and after open on demand.
#[component]
fn AuditRow(
    /// The entry.
    entry: AuditEntry,
) -> impl IntoView {
    let who = match &entry.actor {
        Some(actor) => actor
            .email
            .clone()
            .unwrap_or_else(|| format!("Account #{} (deleted)", actor.id)),
        None => "Partnerly (automatic)".to_owned(),
    };
    let target = match entry.target_id {
        Some(id) => format!("{} #{id}", entry.target_type),
        None => entry.target_type.clone(),
    };
    let changes = change_summary(entry.before.as_ref(), entry.after.as_ref());
    let more = changes.len().saturating_sub(SHOWN_CHANGES);
    let summary = changes
        .into_iter()
        .take(SHOWN_CHANGES)
        .map(|change| view! { <li>{change}</li> })
        .collect_view();
    let before = pretty(entry.before.as_ref());
    let after = pretty(entry.after.as_ref());
    view! {
        <tr>
            <td data-label="When" class="nowrap">{format_datetime(entry.at)}</td>
            <td data-label="Who" class="cell-wrap">{who}</td>
            <td data-label="Action">
                <code>{entry.action.clone()}</code>
            </td>
            <td data-label="Target">{target}</td>
            <td data-label="Change" class="cell-wrap c-change">
                {entry.reason.clone().map(|reason| view! { <p class="reason">{format!("Reason: {reason}")}</p> })}
                <ul class="changes">{summary}</ul>
                {(more > 0).then(|| view! { <p class="muted">{format!("and {more} more")}</p> })}
                <details class="json-details">
                    <summary>"Before and after"</summary>
                    <div class="json-pair">
                        <div>
                            <p class="eyebrow">"Before"</p>
                            <pre>{before}</pre>
                        </div>
                        <div>
                            <p class="eyebrow">"After"</p>
                            <pre>{after}</pre>
                        </div>
                    </div>
                </details>
            </td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_update_lists_the_fields_whose_value_changed() {
        let before = json!({"name": "Iron", "position": 1, "percent": "20", "updated_at": "a"});
        let after = json!({"name": "Bronze", "position": 1, "percent": null, "updated_at": "b"});
        assert_eq!(
            change_summary(Some(&before), Some(&after)),
            ["name: Iron → Bronze", "percent: 20 → none"]
        );
        assert_eq!(change_summary(None, Some(&after)), ["Created"]);
        assert_eq!(change_summary(Some(&before), None), ["Deleted"]);
        let long = json!("x".repeat(100));
        assert_eq!(short(&long).chars().count(), VALUE_CHARS);
    }

    #[test]
    fn ids_that_are_not_numbers_are_field_errors() {
        let filters = Filters {
            target_id: "twelve".into(),
            ..Filters::default()
        };
        assert!(filters.to_query(1).unwrap_err().contains_key("target_id"));
        let filters = Filters {
            action: "level.update".into(),
            ..Filters::default()
        };
        assert_eq!(filters.to_query(2).unwrap().page, 2);
    }
}
