//! The partner search of the adjustment form (managers and admins): find a partner by
//! name, email or public id, and pick one of their memberships.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use partnerly_domain::membership::{PartnerPage, PartnerSummary};

use crate::api::admin::{self, ListQuery};
use crate::components::form::{FormAlert, TextField, failure_of, field_error};
use crate::session::use_session;

/// Partners found per search.
const SEARCH_LIMIT: u32 = 10;
/// Search partners by name, email or public id, and pick one of their memberships.
#[component]
pub(super) fn PartnerPicker(
    /// Called with the membership's id and a description of it.
    on_pick: Callback<(i64, String)>,
) -> impl IntoView {
    let session = use_session();
    let query = RwSignal::new(String::new());
    let search = Action::new_local(move |q: &String| {
        let query = ListQuery {
            filters: vec![("q", q.clone())],
            page: 1,
            per_page: SEARCH_LIMIT,
        };
        async move { admin::partners(session, &query).await }
    });
    let failure = failure_of(search);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        search.dispatch_local(query.get_untracked());
    };
    let results = move || {
        search.value().with(|value| match value {
            Some(Ok(found)) => Some(view! { <PartnerResults found=found.clone() on_pick /> }),
            _ => None,
        })
    };
    view! {
        <form class="picker" role="search" aria-label="Find a partner" on:submit=on_submit>
            <FormAlert failure fields=&["q"] />
            <div class="picker-row">
                <TextField
                    id="partner-search"
                    label="Find the partner"
                    value=query
                    error=field_error(failure, "q")
                    input_type="search"
                    hint="Name, email or partner id (A123456)."
                />
                <button
                    type="submit"
                    class="button button-quiet"
                    disabled=move || search.pending().get()
                >
                    "Search"
                </button>
            </div>
            {results}
        </form>
    }
}

/// The partners found, each membership a button that picks it.
#[component]
fn PartnerResults(
    /// The search's answer.
    found: PartnerPage,
    /// Picks a membership.
    on_pick: Callback<(i64, String)>,
) -> impl IntoView {
    if found.items.is_empty() {
        return view! { <p class="muted">"No partner matches."</p> }.into_any();
    }
    let partners = found
        .items
        .into_iter()
        .map(
            |PartnerSummary {
                 account,
                 memberships,
             }| {
                let name = account.display_name();
                let id = account
                    .public_id
                    .map(|id| id.to_string())
                    .unwrap_or_default();
                let choices = memberships
                    .into_iter()
                    .map(|m| {
                        let words = format!(
                            "{name} — {} ({}, {})",
                            m.program_name, m.level.name, m.currency
                        );
                        let label = format!("Choose {} for {name}", m.program_name);
                        let membership = m.id;
                        view! {
                            <button
                                type="button"
                                class="button button-quiet button-small"
                                aria-label=label
                                on:click=move |_| on_pick.run((membership, words.clone()))
                            >
                                {format!("{} · {} · #{}", m.program_name, m.currency, m.id)}
                            </button>
                        }
                    })
                    .collect_view();
                view! {
                    <li>
                        <span class="cell-main">{format!("{name} {id}")}</span>
                        <span class="cell-sub">{account.email}</span>
                        <div class="action-row">{choices}</div>
                    </li>
                }
            },
        )
        .collect_view();
    view! { <ul class="picker-results">{partners}</ul> }.into_any()
}
