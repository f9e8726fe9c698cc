//! The earnings table: one row per commission, the pager under it, or why there is
//! nothing to show.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use partnerly_domain::partner::{CommissionPage, CommissionStatus, CommissionView};

use super::filters::Filters;
use super::go_to;
use crate::components::pager::{Pager, page_count};
use crate::components::table::{Column, DataTable};
use crate::format::{MINUS, format_date, format_money};

/// The status as a word, and its badge's class.
pub(super) fn status_badge(status: CommissionStatus) -> (&'static str, &'static str) {
    match status {
        CommissionStatus::Pending => ("Pending", "badge badge-pending"),
        CommissionStatus::Available => ("Available", "badge badge-available"),
        CommissionStatus::Reversed => ("Reversed", "badge badge-reversed"),
    }
}

/// The table and the pager, or why there is nothing to show.
#[component]
pub(super) fn CommissionList(
    /// The loaded page.
    page: CommissionPage,
    /// The filters in the URL.
    filters: Memo<Filters>,
) -> impl IntoView {
    // Taken now: event handlers run outside the component, where the router's context
    // cannot be looked up.
    let navigate = use_navigate();
    let pages = page_count(page.total, page.per_page);
    let current = page.page;

    if page.total == 0 {
        return if filters.with_untracked(Filters::is_filtered) {
            view! {
                <div class="panel empty-state">
                    <p class="empty-title">"No commissions match these filters"</p>
                    <p class="muted">"Try another status or a wider range of dates."</p>
                    <A href="/earnings" attr:class="button button-quiet">
                        "Clear filters"
                    </A>
                </div>
            }
            .into_any()
        } else {
            view! {
                <div class="panel empty-state">
                    <p class="empty-title">"No commissions yet"</p>
                    <p class="muted">
                        "When customers you referred pay, your commission for each payment appears here."
                    </p>
                    <A href="/dashboard" attr:class="button button-quiet">
                        "Get your referral link"
                    </A>
                </div>
            }
            .into_any()
        };
    }
    if page.items.is_empty() {
        return view! {
            <div class="panel empty-state">
                <p class="empty-title">{format!("There is no page {current}")}</p>
                <p class="muted">{format!("The list has {pages} page(s).")}</p>
                <button
                    type="button"
                    class="button button-quiet"
                    on:click=move |_| {
                        go_to(
                            &navigate,
                            &Filters {
                                page: 1,
                                ..filters.get_untracked()
                            },
                            true,
                        )
                    }
                >
                    "Go to the first page"
                </button>
            </div>
        }
        .into_any();
    }

    let rows = page
        .items
        .into_iter()
        .map(|commission| view! { <CommissionRow commission /> })
        .collect_view();
    let on_turn = Callback::new(move |to: u32| {
        go_to(
            &navigate,
            &Filters {
                page: to,
                ..filters.get_untracked()
            },
            true,
        )
    });

    let pager = view! {
        <Pager
            total=page.total
            page=current
            per_page=page.per_page
            noun=("commission", "commissions")
            on_turn
        />
    }
    .into_any();
    view! {
        <DataTable
            caption="Commissions, newest first"
            columns=&[
                Column::Text("Date"),
                Column::Text("Customer"),
                Column::Text("Payment"),
                Column::Text("Rate"),
                Column::Num("Commission"),
                Column::Text("Status"),
                Column::Text("Available on"),
            ]
            class="commissions"
            footer=pager
        >
            {rows}
        </DataTable>
    }
    .into_any()
}

/// One commission; on phones the cells stack into a card, each with its column name.
#[component]
fn CommissionRow(
    /// The commission.
    commission: CommissionView,
) -> impl IntoView {
    let (status, badge) = status_badge(commission.status);
    let reversed = commission
        .reversed
        .parse()
        .is_ok_and(|m| m.is_positive())
        .then(|| {
            view! {
                <span class="reversed">
                    {format!("{MINUS}{} reversed", format_money(&commission.reversed))}
                </span>
            }
        });
    let rate = commission
        .rate
        .map_or_else(|| "Flat".to_owned(), |rate| rate.to_string());
    let payment_title = commission.payment_id.clone();
    let customer_title = commission.customer.clone();
    let available_on = match commission.status {
        CommissionStatus::Reversed => "—".to_owned(),
        _ => format_date(commission.available_at),
    };

    view! {
        <tr class:row-reversed=commission.status == CommissionStatus::Reversed>
            <td data-label="Date" class="c-date nowrap">
                {format_date(commission.paid_at)}
            </td>
            <td data-label="Customer" class="c-customer" title=customer_title>
                {commission.customer}
            </td>
            <td data-label="Payment" class="c-payment">
                <span class="cell-main">{format_money(&commission.payment_amount)}</span>
                <span class="cell-sub" title=payment_title>
                    {commission.payment_id}
                </span>
            </td>
            <td data-label="Rate" class="c-rate">{rate}</td>
            <td data-label="Commission" class="c-commission num">
                <span class="cell-main amount">{format_money(&commission.amount)}</span>
                {reversed}
            </td>
            <td data-label="Status" class="c-status">
                <span class=badge>{status}</span>
            </td>
            <td data-label="Available on" class="c-available nowrap">
                {available_on}
            </td>
        </tr>
    }
}
