//! `/deals` (T8): the leads the partner's links brought through the vendor's "Contact
//! us" form, newest first: the contact (email masked), program and link, where the deal
//! stands (pending, closed successfully with its amount, closed unsuccessfully) and when.

use leptos::prelude::*;
use leptos_router::components::A;
use partnerly_domain::deal::{DealList, DealStatus, DealView};

use crate::api;
use crate::components::fetch::Fetch;
use crate::components::layout::{Loaded, set_title};
use crate::components::table::{Column, DataTable};
use crate::format::{format_date, format_money};
use crate::session::use_session;

/// A deal's status in words, and its badge's class.
pub(crate) fn status_badge(status: DealStatus) -> (&'static str, &'static str) {
    match status {
        DealStatus::Pending => ("Pending", "badge badge-pending"),
        DealStatus::Won => ("Closed successfully", "badge badge-available"),
        DealStatus::Lost => ("Closed unsuccessfully", "badge badge-reversed"),
    }
}

/// The status badge.
pub(crate) fn status_view(status: DealStatus) -> impl IntoView {
    let (words, class) = status_badge(status);
    view! { <span class=class>{words}</span> }
}

/// The contact of a deal: name, and company and email under it.
pub(crate) fn contact_view(deal: &DealView) -> impl IntoView + use<> {
    let sub = match &deal.company {
        Some(company) => format!("{company} · {}", deal.email),
        None => deal.email.clone(),
    };
    view! {
        <span class="cell-main">{deal.name.clone()}</span>
        <span class="cell-sub">{sub}</span>
    }
}

/// The amount of a won deal, or a dash.
fn amount_words(deal: &DealView) -> String {
    deal.amount
        .as_ref()
        .map_or_else(|| "—".to_owned(), format_money)
}

/// The partner's deals.
#[component]
pub fn DealsPage() -> impl IntoView {
    set_title("Deals");
    let session = use_session();
    let deals = Fetch::new(move || api::deals(session));
    view! {
        <div class="page page-wide">
            <header class="page-header">
                <h1>"Deals"</h1>
                <p class="intro">
                    "People who contacted the vendor after following your links, and how their deals ended."
                </p>
            </header>
            <Loaded
                what="your deals"
                data=deals
                render=|list: DealList| view! { <DealTable deals=list.items /> }
            />
        </div>
    }
}

/// One row per deal, or why there are none.
#[component]
fn DealTable(
    /// The deals, newest first.
    deals: Vec<DealView>,
) -> impl IntoView {
    if deals.is_empty() {
        return view! {
            <div class="panel empty-state">
                <p class="empty-title">"No deals yet"</p>
                <p class="muted">
                    "When someone who followed your link sends the vendor's contact form, the deal appears here."
                </p>
                <A href="/links" attr:class="button button-quiet">
                    "Share your links"
                </A>
            </div>
        }
        .into_any();
    }
    let rows = deals
        .into_iter()
        .map(|deal| {
            view! {
                <tr>
                    <td data-label="Date" class="nowrap">{format_date(deal.created_at)}</td>
                    <td data-label="Contact" class="cell-title">{contact_view(&deal)}</td>
                    <td data-label="Program">
                        <span class="cell-main">{deal.program_name.clone()}</span>
                        <span class="cell-sub">{deal.link_label.clone().unwrap_or_default()}</span>
                    </td>
                    <td data-label="Status">{status_view(deal.status)}</td>
                    <td data-label="Amount" class="num">{amount_words(&deal)}</td>
                    <td data-label="Closed" class="nowrap">
                        {deal.closed_at.map_or_else(|| "—".to_owned(), format_date)}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <DataTable
            caption="Your deals, newest first"
            class="data-table deal-table"
            columns=&[
                Column::Text("Date"),
                Column::Text("Contact"),
                Column::Text("Program and link"),
                Column::Text("Status"),
                Column::Num("Amount"),
                Column::Text("Closed"),
            ]
        >
            {rows}
        </DataTable>
    }
    .into_any()
}
