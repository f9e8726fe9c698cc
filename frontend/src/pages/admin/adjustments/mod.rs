//! `/admin/adjustments` (C7, A3): credits and debits of partners' available balances,
//! newest first, and the form finance staff use to make one: pick the partner's
//! membership (admins can search partners; finance staff enter the membership's
//! number), the amount, the currency and the reason.
//!
//! This module has the page and the history; `form.rs` the form, `picker.rs` the
//! partner search that fills in the membership.

mod form;
mod picker;

use leptos::prelude::*;
use partnerly_domain::adjustment::{AdjustmentPage, AdjustmentView};

use self::form::AdjustmentForm;
use super::AdminHeader;
use crate::api::admin::{self, ListQuery};
use crate::components::fetch::Fetch;
use crate::components::layout::Loaded;
use crate::components::pager::Pager;
use crate::components::table::{Column, DataTable};
use crate::format::{format_datetime, format_money};
use crate::session::use_session;

/// Adjustments per page.
const PER_PAGE: u32 = 20;
/// The list and the form.
#[component]
pub fn AdjustmentsPage() -> impl IntoView {
    let session = use_session();
    let page = RwSignal::new(1_u32);
    let adjustments = Fetch::new(move || {
        let query = ListQuery::page(page.get(), PER_PAGE);
        async move { admin::adjustments(session, &query).await }
    });
    let on_created = Callback::new(move |_: AdjustmentView| {
        page.set(1);
        adjustments.refetch();
    });
    let on_turn = Callback::new(move |to: u32| page.set(to));
    view! {
        <div class="page page-wide">
            <AdminHeader
                title="Adjustments"
                intro="Credit or debit a partner's available balance. Each adjustment is a ledger entry with its reason, and is in the audit log."
            />
            <section class="panel" aria-labelledby="new-adjustment-heading">
                <h2 id="new-adjustment-heading">"New adjustment"</h2>
                <AdjustmentForm on_created />
            </section>
            <h2>"History"</h2>
            <Loaded
                what="the adjustments"
                data=adjustments
                render=move |list: AdjustmentPage| view! { <AdjustmentTable list on_turn /> }
            />
        </div>
    }
}
/// One page of adjustments.
#[component]
fn AdjustmentTable(
    /// The page.
    list: AdjustmentPage,
    /// Goes to another page.
    on_turn: Callback<u32>,
) -> impl IntoView {
    if list.total == 0 {
        return view! {
            <div class="panel empty-state">
                <p class="empty-title">"No adjustments yet"</p>
                <p class="muted">"Credits and debits you book appear here."</p>
            </div>
        }
        .into_any();
    }
    let rows = list
        .items
        .into_iter()
        .map(|a| {
            let partner_id = a
                .partner
                .public_id
                .map(|id| id.to_string())
                .unwrap_or_default();
            view! {
                <tr>
                    <td data-label="Date" class="nowrap">{format_datetime(a.created_at)}</td>
                    <td data-label="Partner" class="cell-title">
                        <span class="cell-main">{format!("{} {partner_id}", a.partner.name)}</span>
                        <span class="cell-sub">{a.partner.email.clone()}</span>
                    </td>
                    <td data-label="Program">
                        {format!("{} · #{}", a.program_name, a.membership_id)}
                    </td>
                    <td data-label="Amount" class="num">
                        <span class="cell-main amount">{format_money(&a.amount)}</span>
                    </td>
                    <td data-label="Reason" class="cell-wrap">{a.reason.clone()}</td>
                    <td data-label="Ledger" class="cell-sub">{a.ledger_key.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let pager = view! {
        <Pager
            total=list.total
            page=list.page
            per_page=list.per_page
            noun=("adjustment", "adjustments")
            on_turn
        />
    }
    .into_any();
    view! {
        <DataTable
            caption="Adjustments, newest first"
            columns=&[
                Column::Text("Date"),
                Column::Text("Partner"),
                Column::Text("Program"),
                Column::Num("Amount"),
                Column::Text("Reason"),
                Column::Text("Ledger"),
            ]
            footer=pager
        >
            {rows}
        </DataTable>
    }
    .into_any()
}
