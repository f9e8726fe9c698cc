//! `/earnings`: the partner's commissions (C1–C3) as a table, newest payment first, each
//! dated by the customer's payment that earned it, with the payment, rate, status and the
//! day it becomes available. The filters (status, from, to: payment dates) and the page
//! live in the URL, so a reload, Back or a bookmark shows the same list.
//!
//! This module has the page; `filters.rs` the filters and their URL, `list.rs` the
//! table and the pager.

mod filters;
mod list;

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_query_map;

use self::filters::{FilterBar, Filters};
use self::list::CommissionList;
use crate::api::{self, ApiFailure};
use crate::components::fetch::Fetch;
use crate::components::layout::{LoadFailed, Loading, set_title};
use crate::session::use_session;

/// Commissions per page.
const PER_PAGE: u32 = 20;

/// Loads the page of commissions the URL asks for and shows the filters, the table and
/// the pager.
#[component]
pub fn Earnings() -> impl IntoView {
    set_title("Earnings");
    let session = use_session();
    let query = use_query_map();
    let filters = Memo::new(move |_| query.with(Filters::from_query));
    let commissions = Fetch::new(move || {
        let filters = filters.get();
        async move {
            let query = filters.to_query().map_err(ApiFailure::from_fields)?;
            api::commissions(session, &query).await
        }
    });
    // The failure of the last load, for the messages beside the filters.
    let failure = Signal::derive(move || commissions.failure());
    let pending = RwSignal::new(false);

    view! {
        <div class="page page-wide">
            <header class="page-header">
                <h1>"Earnings"</h1>
                <p class="intro">
                    "Every commission you earned: from which payment, at what rate, and when it becomes available."
                </p>
            </header>
            <FilterBar filters failure />
            <div class="list-area" class:is-loading=move || pending.get()>
                <Transition fallback=Loading set_pending=pending>
                    <ErrorBoundary fallback=move |errors| {
                        view! {
                            <LoadFailed
                                what="your commissions"
                                errors
                                retry=move || commissions.refetch()
                            />
                        }
                    }>
                        {move || Suspend::new(async move {
                            match commissions.value().await {
                                Ok(page) => Ok(view! { <CommissionList page filters /> }.into_any()),
                                // Shown beside the filters; nothing to list until fixed.
                                Err(failure) if !failure.field_errors().is_empty() => {
                                    Ok(
                                        view! {
                                            <div class="panel empty-state">
                                                <p class="empty-title">"Check the filters"</p>
                                                <p class="muted">
                                                    "Fix the fields marked above to see your commissions."
                                                </p>
                                            </div>
                                        }
                                            .into_any(),
                                    )
                                }
                                Err(failure) => Err(failure),
                            }
                        })}
                    </ErrorBoundary>
                </Transition>
            </div>
        </div>
    }
}

/// Goes to the list `filters` describe. A new filter keeps the scroll position (the
/// person is at the filters); a new page starts at the top, where its first row is.
fn go_to(navigate: &impl Fn(&str, NavigateOptions), filters: &Filters, scroll: bool) {
    navigate(
        &filters.url(),
        NavigateOptions {
            scroll,
            ..Default::default()
        },
    );
}
