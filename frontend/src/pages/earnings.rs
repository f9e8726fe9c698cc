//! `/earnings`: the partner's commissions (C1–C3) as a table, newest payment first, each
//! dated by the customer's payment that earned it, with the payment, rate, status and the
//! day it becomes available. The filters (status, from, to: payment dates) and the page
//! live in the URL, so a reload, Back or a bookmark shows the same list.

use leptos::ev::{Event, SubmitEvent};
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::params::ParamsMap;
use partnerly_domain::FieldErrors;
use partnerly_domain::partner::{CommissionPage, CommissionStatus, CommissionView};
use time::{Date, OffsetDateTime, Time};

use crate::api::{self, ApiFailure, CommissionsQuery};
use crate::components::layout::{LoadFailed, Loading, set_title};
use crate::components::pager::{Pager, page_count};
use crate::components::table::{Column, DataTable};
use crate::format::{MINUS, format_date, format_money, parse_day};
use crate::session::use_session;

/// Commissions per page.
const PER_PAGE: u32 = 20;

/// The list as the URL describes it: `/earnings?status=pending&from=2026-11-01&page=2`.
/// Kept as typed in the URL, so that a bad value is shown beside its field.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Filters {
    /// `pending`, `available`, `reversed`, or empty for all.
    status: String,
    /// First day, `YYYY-MM-DD`, or empty.
    from: String,
    /// Last day (included), `YYYY-MM-DD`, or empty.
    to: String,
    /// 1-based.
    page: u32,
}

impl Filters {
    fn from_query(query: &ParamsMap) -> Self {
        let text = |key| query.get(key).unwrap_or_default().trim().to_owned();
        Self {
            status: text("status"),
            from: text("from"),
            to: text("to"),
            page: query
                .get_str("page")
                .and_then(|p| p.parse().ok())
                .filter(|p| *p >= 1)
                .unwrap_or(1),
        }
    }

    /// Whether any filter is set.
    fn is_filtered(&self) -> bool {
        !(self.status.is_empty() && self.from.is_empty() && self.to.is_empty())
    }

    /// The page's address for these filters; empty filters and page 1 are left out.
    fn url(&self) -> String {
        let mut params = ParamsMap::new();
        for (key, value) in [
            ("status", &self.status),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if !value.is_empty() {
                params.insert(key, value.clone());
            }
        }
        if self.page > 1 {
            params.insert("page", self.page.to_string());
        }
        format!("/earnings{}", params.to_query_string())
    }

    /// The API's query, or what is wrong with the filters, per field. The last day is
    /// included: the API's `to` is exclusive, so it gets the next midnight.
    fn to_query(&self) -> Result<CommissionsQuery, FieldErrors> {
        let mut errors = FieldErrors::new();
        let status = if self.status.is_empty() {
            None
        } else {
            let status = CommissionStatus::parse(&self.status);
            if status.is_none() {
                errors.insert("status".into(), "Choose a status from the list.".into());
            }
            status
        };
        let mut day = |field: &str, raw: &str| {
            if raw.is_empty() {
                return None;
            }
            let day = parse_day(raw);
            if day.is_none() {
                errors.insert(field.into(), "Enter a date, like 2026-11-01.".into());
            }
            day
        };
        let from = day("from", &self.from);
        let to = day("to", &self.to);
        if let (Some(from), Some(to)) = (from, to)
            && to < from
        {
            errors.insert("to".into(), "The end date is before the start date.".into());
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let midnight = |day: Date| OffsetDateTime::new_utc(day, Time::MIDNIGHT);
        Ok(CommissionsQuery {
            status,
            from: from.map(midnight),
            to: to.and_then(Date::next_day).map(midnight),
            page: self.page,
            per_page: PER_PAGE,
        })
    }
}

/// Loads the page of commissions the URL asks for and shows the filters, the table and
/// the pager.
#[component]
pub fn Earnings() -> impl IntoView {
    set_title("Earnings");
    let session = use_session();
    let query = use_query_map();
    let filters = Memo::new(move |_| query.with(Filters::from_query));
    let commissions = LocalResource::new(move || {
        let filters = filters.get();
        async move {
            let query = filters.to_query().map_err(ApiFailure::from_fields)?;
            api::commissions(session, &query).await
        }
    });
    // The failure of the last load, for the messages beside the filters.
    let failure = Signal::derive(move || {
        commissions.with(|loaded| loaded.as_ref().and_then(|r| r.as_ref().err().cloned()))
    });
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
                            match commissions.await {
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

/// Status, from and to; every change reloads the list from page 1.
#[component]
fn FilterBar(
    /// The filters in the URL.
    filters: Memo<Filters>,
    /// The last load's failure: its field messages go beside the filters.
    failure: Signal<Option<ApiFailure>>,
) -> impl IntoView {
    let navigate = use_navigate();
    let change = move |set: fn(&mut Filters, String)| {
        let navigate = navigate.clone();
        move |ev: Event| {
            let mut next = filters.get_untracked();
            set(&mut next, event_target_value(&ev));
            next.page = 1;
            go_to(&navigate, &next, false);
        }
    };
    let on_status = change(|f, v| f.status = v);
    let on_from = change(|f, v| f.from = v);
    let on_to = change(|f, v| f.to = v);
    let error = move |field: &'static str| {
        Signal::derive(move || {
            failure.with(|f| f.as_ref().and_then(|f| f.field_errors().remove(field)))
        })
    };
    let statuses = [
        ("", "All"),
        ("pending", "Pending"),
        ("available", "Available"),
        ("reversed", "Reversed"),
    ]
    .into_iter()
    .map(|(value, text)| {
        view! {
            <option value=value prop:selected=move || filters.with(|f| f.status == value)>
                {text}
            </option>
        }
    })
    .collect_view();

    view! {
        <form
            class="panel filters"
            role="search"
            aria-label="Filter commissions"
            on:submit=|ev: SubmitEvent| ev.prevent_default()
        >
            <FilterField id="filter-status" label="Status" error=error("status")>
                <select
                    id="filter-status"
                    name="status"
                    aria-invalid=move || error("status").with(Option::is_some).then_some("true")
                    on:change=on_status
                >
                    {statuses}
                </select>
            </FilterField>
            <FilterField id="filter-from" label="From" error=error("from")>
                <input
                    id="filter-from"
                    name="from"
                    type="date"
                    prop:value=move || filters.with(|f| f.from.clone())
                    aria-invalid=move || error("from").with(Option::is_some).then_some("true")
                    on:change=on_from
                />
            </FilterField>
            <FilterField id="filter-to" label="To" error=error("to")>
                <input
                    id="filter-to"
                    name="to"
                    type="date"
                    prop:value=move || filters.with(|f| f.to.clone())
                    aria-invalid=move || error("to").with(Option::is_some).then_some("true")
                    on:change=on_to
                />
            </FilterField>
            <div class="filters-actions">
                {move || {
                    filters
                        .with(Filters::is_filtered)
                        .then(|| {
                            view! {
                                <A href="/earnings" attr:class="button button-quiet">
                                    "Clear filters"
                                </A>
                            }
                        })
                }}
            </div>
        </form>
    }
}

/// A label, a control and the control's error.
#[component]
fn FilterField(
    /// The control's id.
    id: &'static str,
    /// The visible label.
    label: &'static str,
    /// The message for this field, if any.
    error: Signal<Option<String>>,
    /// The control.
    children: Children,
) -> impl IntoView {
    view! {
        <div class="field" class:field-invalid=move || error.with(Option::is_some)>
            <label for=id>{label}</label>
            {children()}
            {move || {
                error
                    .get()
                    .map(|message| {
                        view! {
                            <p class="field-error" role="alert">
                                {message}
                            </p>
                        }
                    })
            }}
        </div>
    }
}

/// The status as a word, and its badge's class.
fn status_badge(status: CommissionStatus) -> (&'static str, &'static str) {
    match status {
        CommissionStatus::Pending => ("Pending", "badge badge-pending"),
        CommissionStatus::Available => ("Available", "badge badge-available"),
        CommissionStatus::Reversed => ("Reversed", "badge badge-reversed"),
    }
}

/// The table and the pager, or why there is nothing to show.
#[component]
fn CommissionList(
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
