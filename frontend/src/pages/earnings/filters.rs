//! The filters of the earnings page (status, from, to) and the page: read from the URL,
//! written back to it, and turned into the API's query.

use leptos::ev::{Event, SubmitEvent};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use leptos_router::params::ParamsMap;
use partnerly_domain::FieldErrors;
use partnerly_domain::partner::CommissionStatus;
use time::{Date, OffsetDateTime, Time};

use super::list::status_badge;
use super::{PER_PAGE, go_to};
use crate::api::{ApiFailure, CommissionsQuery};
use crate::format::parse_day;

/// The status filter as the URL has it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) enum StatusFilter {
    /// No `status`: every commission.
    #[default]
    All,
    /// The commissions in this status.
    Only(CommissionStatus),
    /// A `status` that names no status, kept to be shown beside the field.
    Unknown(String),
}

impl StatusFilter {
    /// The choices of the status select, in order.
    fn choices() -> impl Iterator<Item = Self> {
        std::iter::once(Self::All).chain(CommissionStatus::ALL.map(Self::Only))
    }

    /// Reads the URL's `status` (already trimmed).
    fn from_param(raw: &str) -> Self {
        if raw.is_empty() {
            Self::All
        } else {
            CommissionStatus::parse(raw).map_or_else(|| Self::Unknown(raw.to_owned()), Self::Only)
        }
    }

    /// The URL's `status`, and the select's value: empty for all.
    fn param(&self) -> &str {
        match self {
            Self::All => "",
            Self::Only(status) => status.as_str(),
            Self::Unknown(raw) => raw,
        }
    }

    /// The choice in words.
    fn words(&self) -> &str {
        match self {
            Self::All => "All",
            Self::Only(status) => status_badge(*status).0,
            Self::Unknown(raw) => raw,
        }
    }
}

/// The list as the URL describes it: `/earnings?status=pending&from=2026-11-01&page=2`.
/// Kept as typed in the URL, so that a bad value is shown beside its field.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct Filters {
    /// All, one status, or what the URL had instead.
    pub(super) status: StatusFilter,
    /// First day, `YYYY-MM-DD`, or empty.
    pub(super) from: String,
    /// Last day (included), `YYYY-MM-DD`, or empty.
    pub(super) to: String,
    /// 1-based.
    pub(super) page: u32,
}

impl Filters {
    pub(super) fn from_query(query: &ParamsMap) -> Self {
        let text = |key| query.get(key).unwrap_or_default().trim().to_owned();
        Self {
            status: StatusFilter::from_param(&text("status")),
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
    pub(super) fn is_filtered(&self) -> bool {
        !(self.status == StatusFilter::All && self.from.is_empty() && self.to.is_empty())
    }

    /// The page's address for these filters; empty filters and page 1 are left out.
    pub(super) fn url(&self) -> String {
        let mut params = ParamsMap::new();
        for (key, value) in [
            ("status", self.status.param()),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if !value.is_empty() {
                params.insert(key, value.to_owned());
            }
        }
        if self.page > 1 {
            params.insert("page", self.page.to_string());
        }
        format!("/earnings{}", params.to_query_string())
    }

    /// The API's query, or what is wrong with the filters, per field. The last day is
    /// included: the API's `to` is exclusive, so it gets the next midnight.
    pub(super) fn to_query(&self) -> Result<CommissionsQuery, FieldErrors> {
        let mut errors = FieldErrors::new();
        let status = match self.status {
            StatusFilter::All => None,
            StatusFilter::Only(status) => Some(status),
            StatusFilter::Unknown(_) => {
                errors.insert("status".into(), "Choose a status from the list.".into());
                None
            }
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

/// Status, from and to; every change reloads the list from page 1.
#[component]
pub(super) fn FilterBar(
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
    let on_status = change(|f, v| f.status = StatusFilter::from_param(&v));
    let on_from = change(|f, v| f.from = v);
    let on_to = change(|f, v| f.to = v);
    let error = move |field: &'static str| {
        Signal::derive(move || {
            failure.with(|f| f.as_ref().and_then(|f| f.field_errors().remove(field)))
        })
    };
    let statuses = StatusFilter::choices()
        .map(|choice| {
            let value = choice.param().to_owned();
            let text = choice.words().to_owned();
            view! {
                <option value=value prop:selected=move || filters.with(|f| f.status == choice)>
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

#[cfg(test)]
mod tests {
    use super::*;

    fn filters(status: &str) -> Filters {
        Filters {
            status: StatusFilter::from_param(status),
            page: 1,
            ..Filters::default()
        }
    }

    // (Reading and writing the URL takes the browser's functions: the browser tests
    // cover them.)
    #[test]
    fn the_status_in_the_url_is_a_status_or_named_beside_the_field() {
        let reversed = filters("reversed");
        assert_eq!(
            reversed.status,
            StatusFilter::Only(CommissionStatus::Reversed)
        );
        assert_eq!(reversed.status.param(), "reversed");
        let query = reversed.to_query().unwrap();
        assert_eq!(query.status, Some(CommissionStatus::Reversed));

        let paid = filters("paid");
        assert_eq!(paid.status.param(), "paid");
        assert!(paid.to_query().is_err_and(|e| e.contains_key("status")));

        let all = filters("");
        assert!(!all.is_filtered());
        assert_eq!(all.to_query().unwrap().status, None);
        assert_eq!(
            StatusFilter::choices()
                .map(|c| c.param().to_owned())
                .collect::<Vec<_>>(),
            ["", "pending", "available", "reversed"]
        );
    }
}
