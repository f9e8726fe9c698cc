//! `/admin/deals` (T8): every partner's deals, newest first, filtered by status and in
//! pages, and closing one as won (with its amount) or lost, as the vendor would through
//! the `deal.status_changed` event. Managers and admins.
//!
//! This module has the page and the queue; `form.rs` the change of one deal.

mod form;

use leptos::prelude::*;
use partnerly_domain::deal::{AdminDealView, DealPage, DealStatus};

use self::form::{DealForm, FORM_ID};
use super::AdminHeader;
use crate::api::admin::{self, ListQuery};
use crate::components::fetch::Fetch;
use crate::components::form::{Bound, Choice, SelectField};
use crate::components::layout::{Loaded, scroll_into_view_soon};
use crate::components::pager::Pager;
use crate::components::table::{Column, DataTable};
use crate::format::{format_date, format_money};
use crate::pages::deals::{contact_view, status_badge, status_view};
use crate::session::use_session;

/// Deals per page.
const PER_PAGE: u32 = 20;

/// Which deals the queue shows.
#[derive(Debug, Clone, PartialEq, Eq)]
struct DealFilters {
    /// `None`: every status.
    status: Option<DealStatus>,
    /// 1-based.
    page: u32,
}

/// The status options, in words.
pub(super) fn status_options() -> Vec<(&'static str, String)> {
    DealStatus::ALL
        .map(|s| (s.as_str(), status_badge(s).0.to_owned()))
        .to_vec()
}

/// The filter, the deal being changed and the queue.
#[component]
pub fn AdminDealsPage() -> impl IntoView {
    let session = use_session();
    let filters = RwSignal::new(DealFilters {
        status: None,
        page: 1,
    });
    let deals = Fetch::new(move || {
        let DealFilters { status, page } = filters.get();
        let query = ListQuery {
            filters: status
                .map(|s| ("status", s.as_str().to_owned()))
                .into_iter()
                .collect(),
            page,
            per_page: PER_PAGE,
        };
        async move { admin::deals(session, &query).await }
    });
    // Another status shows its first page.
    let status = Bound::choice(
        filters,
        |f| Choice::code(&f.status),
        |f, code| {
            if let Some(status) = Choice::from_code(code) {
                f.status = status;
                f.page = 1;
            }
        },
    );
    let editing = RwSignal::new(None::<AdminDealView>);
    let last_saved = RwSignal::new(None::<AdminDealView>);
    let on_edit = Callback::new(move |deal: AdminDealView| {
        last_saved.set(None);
        editing.set(Some(deal));
        scroll_into_view_soon(FORM_ID);
    });
    let on_saved = Callback::new(move |deal: AdminDealView| {
        editing.set(None);
        last_saved.set(Some(deal));
        deals.refetch();
    });
    let on_cancel = Callback::new(move |()| editing.set(None));
    let on_turn = Callback::new(move |to: u32| filters.update(|f| f.page = to));

    view! {
        <div class="page page-wide">
            <AdminHeader
                title="Deals"
                intro="Leads that came through partners' links. Close each one as won, with the deal's amount, or lost; the partner sees it on their deals page."
            />
            <form
                class="panel filters"
                role="search"
                aria-label="Filter deals"
                on:submit=|ev: leptos::ev::SubmitEvent| ev.prevent_default()
            >
                <SelectField
                    id="deal-filter-status"
                    label="Status"
                    value=status
                    options=status_options()
                    empty_label="All"
                    error=Signal::stored(None::<String>)
                />
            </form>
            {move || {
                last_saved
                    .get()
                    .map(|deal| {
                        view! {
                            <div class="success" role="status">
                                <p>
                                    {format!(
                                        "Saved: the deal with {} is {}.",
                                        deal.deal.name,
                                        status_badge(deal.deal.status).0.to_lowercase(),
                                    )}
                                </p>
                            </div>
                        }
                    })
            }}
            {move || {
                editing.get().map(|deal| view! { <DealForm deal on_saved on_cancel /> })
            }}
            <Loaded
                what="the deals"
                data=deals
                render=move |page: DealPage| view! { <DealQueue page on_edit on_turn /> }
            />
        </div>
    }
}

/// One page of deals.
#[component]
fn DealQueue(
    /// The page.
    page: DealPage,
    /// Opens the form for a deal.
    on_edit: Callback<AdminDealView>,
    /// Goes to another page.
    on_turn: Callback<u32>,
) -> impl IntoView {
    if page.total == 0 {
        return view! {
            <div class="panel empty-state">
                <p class="empty-title">"No deals"</p>
                <p class="muted">
                    "Leads sent through the vendor's contact form by visitors of partners' links appear here."
                </p>
            </div>
        }
        .into_any();
    }
    let rows = page
        .items
        .into_iter()
        .map(|item| {
            let partner_id = item
                .partner
                .public_id
                .map(|id| id.to_string())
                .unwrap_or_default();
            let deal = &item.deal;
            let label = format!("Close the deal with {}", deal.name);
            let link = deal
                .link_label
                .as_ref()
                .filter(|l| !l.is_empty())
                .map(|l| format!("Link “{l}”"))
                .unwrap_or_default();
            let row = view! {
                <tr>
                    <td data-label="Date" class="nowrap">{format_date(deal.created_at)}</td>
                    <td data-label="Contact" class="cell-title">{contact_view(deal)}</td>
                    <td data-label="Partner">
                        <span class="cell-main">{item.partner.name.clone()}</span>
                        <span class="cell-sub">
                            {format!("{partner_id} · {}", item.partner.email)}
                        </span>
                    </td>
                    <td data-label="Program">
                        <span class="cell-main">{deal.program_name.clone()}</span>
                        <span class="cell-sub">{link}</span>
                    </td>
                    <td data-label="Status">
                        {status_view(deal.status)}
                        {deal
                            .amount
                            .as_ref()
                            .map(|amount| view! { <span class="deal-amount">{format_money(amount)}</span> })}
                    </td>
                    <td class="cell-actions">
                        <button
                            type="button"
                            class="button button-quiet button-small"
                            aria-label=label
                            on:click={
                                let item = item.clone();
                                move |_| on_edit.run(item.clone())
                            }
                        >
                            "Close deal"
                        </button>
                    </td>
                </tr>
            };
            row
        })
        .collect_view();
    let pager = view! {
        <Pager
            total=page.total
            page=page.page
            per_page=page.per_page
            noun=("deal", "deals")
            on_turn
        />
    }
    .into_any();
    view! {
        <DataTable
            caption="Deals, newest first"
            class="data-table deal-table"
            columns=&[
                Column::Text("Date"),
                Column::Text("Contact"),
                Column::Text("Partner"),
                Column::Text("Program"),
                Column::Text("Status and amount"),
                Column::Hidden("Actions"),
            ]
            footer=pager
        >
            {rows}
        </DataTable>
    }
    .into_any()
}
