//! `/admin/adjustments` (C7, A3): credits and debits of partners' available balances,
//! newest first, and the form finance staff use to make one: pick the partner's
//! membership (admins can search partners; finance staff enter the membership's
//! number), the amount, the currency and the reason.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use partnerly_domain::FieldErrors;
use partnerly_domain::account::Role;
use partnerly_domain::adjustment::{AdjustmentPage, AdjustmentView, CreateAdjustmentRequest};
use partnerly_domain::iso::CURRENCIES;
use partnerly_domain::membership::{PartnerPage, PartnerSummary};

use super::AdminHeader;
use crate::api::ApiFailure;
use crate::api::admin::{self, ListQuery};
use crate::components::form::{
    FormAlert, FormSuccess, SelectField, SubmitButton, TextAreaField, TextField, failure_of,
    field_error,
};
use crate::components::layout::Loaded;
use crate::components::pager::Pager;
use crate::components::table::{Column, DataTable};
use crate::format::{format_datetime, format_money};
use crate::session::use_session;

/// Adjustments per page.
const PER_PAGE: u32 = 20;

/// Partners found per search.
const SEARCH_LIMIT: u32 = 10;

/// Whether the role may search partners (`GET /admin/partners` is for managers and
/// admins; finance staff type the membership's number instead).
fn can_search_partners(role: Option<Role>) -> bool {
    matches!(role, Some(Role::Manager | Role::Admin))
}

/// The list and the form.
#[component]
pub fn AdjustmentsPage() -> impl IntoView {
    let session = use_session();
    let page = RwSignal::new(1_u32);
    let adjustments = LocalResource::new(move || {
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

/// The form's inputs, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct AdjustmentInputs {
    membership_id: String,
    /// `credit` or `debit`.
    direction: String,
    amount: String,
    /// Empty for the program's currency.
    currency: String,
    reason: String,
}

impl AdjustmentInputs {
    /// The request: a debit is a negative amount.
    fn to_request(&self) -> Result<CreateAdjustmentRequest, FieldErrors> {
        let mut errors = FieldErrors::new();
        let membership_id = self.membership_id.trim().parse::<i64>().ok();
        if membership_id.is_none() {
            errors.insert(
                "membership_id".into(),
                "Choose the partner's membership, or enter its number.".into(),
            );
        }
        let amount = self.amount.trim().trim_start_matches(['+', '-']).trim();
        if amount.is_empty() {
            errors.insert("amount".into(), "Enter an amount, like 25.00.".into());
        }
        let amount = if self.direction == "debit" {
            format!("-{amount}")
        } else {
            amount.to_owned()
        };
        match membership_id {
            Some(membership_id) if errors.is_empty() => Ok(CreateAdjustmentRequest {
                membership_id,
                amount,
                currency: (!self.currency.is_empty()).then(|| self.currency.clone()),
                reason: self.reason.clone(),
            }),
            _ => Err(errors),
        }
    }
}

/// Membership, direction, amount, currency and reason.
#[component]
fn AdjustmentForm(
    /// Called with the adjustment as booked.
    on_created: Callback<AdjustmentView>,
) -> impl IntoView {
    let session = use_session();
    let membership_id = RwSignal::new(String::new());
    // What the picked membership is, in words.
    let picked = RwSignal::new(None::<String>);
    let direction = RwSignal::new("credit".to_owned());
    let amount = RwSignal::new(String::new());
    let currency = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let last = RwSignal::new(None::<AdjustmentView>);

    let create = Action::new_local(move |inputs: &AdjustmentInputs| {
        let inputs = inputs.clone();
        async move {
            let request = inputs.to_request().map_err(ApiFailure::from_fields)?;
            let adjustment = admin::create_adjustment(session, &request).await?;
            amount.set(String::new());
            reason.set(String::new());
            last.set(Some(adjustment.clone()));
            on_created.run(adjustment);
            Ok::<_, ApiFailure>(())
        }
    });
    let failure = failure_of(create);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        create.dispatch_local(AdjustmentInputs {
            membership_id: membership_id.get_untracked(),
            direction: direction.get_untracked(),
            amount: amount.get_untracked(),
            currency: currency.get_untracked(),
            reason: reason.get_untracked(),
        });
    };
    let on_pick = Callback::new(move |(id, words): (i64, String)| {
        membership_id.set(id.to_string());
        picked.set(Some(words));
    });
    let searchable = can_search_partners(session.role());
    let currencies = CURRENCIES
        .iter()
        .map(|c| (c.code, format!("{} – {}", c.code, c.name)))
        .collect::<Vec<_>>();
    let directions = vec![
        ("credit", "Credit (add to the balance)".to_owned()),
        ("debit", "Debit (take from the balance)".to_owned()),
    ];
    let hint = if searchable {
        "Filled in when you choose a membership above."
    } else {
        "The number of the partner's membership in the program; a manager can look it up."
    };

    view! {
        {searchable.then(|| view! { <PartnerPicker on_pick /> })}
        <form aria-label="New adjustment" novalidate on:submit=on_submit>
            <FormAlert failure fields=&["membership_id", "amount", "currency", "reason"] />
            {move || {
                picked
                    .get()
                    .map(|words| {
                        view! {
                            <p class="picked" role="status">
                                "Membership: "
                                <strong>{words}</strong>
                            </p>
                        }
                    })
            }}
            <div class="field-row">
                <TextField
                    id="adjustment-membership"
                    label="Membership number"
                    value=membership_id
                    error=field_error(failure, "membership_id")
                    inputmode="numeric"
                    hint
                    required=true
                />
                <SelectField
                    id="adjustment-direction"
                    label="Direction"
                    value=direction
                    options=directions
                    error=field_error(failure, "direction")
                    required=true
                />
            </div>
            <div class="field-row">
                <TextField
                    id="adjustment-amount"
                    label="Amount"
                    value=amount
                    error=field_error(failure, "amount")
                    inputmode="decimal"
                    hint="Like 25.00."
                    required=true
                />
                <SelectField
                    id="adjustment-currency"
                    label="Currency"
                    value=currency
                    options=currencies
                    empty_label="The program's currency"
                    error=field_error(failure, "currency")
                />
            </div>
            <TextAreaField
                id="adjustment-reason"
                label="Reason"
                value=reason
                error=field_error(failure, "reason")
                hint="Shown in the history and the audit log."
                rows=2
            />
            <div class="form-actions">
                <SubmitButton label="Book adjustment" pending=create.pending() />
                <FormSuccess when=Signal::derive(move || last.with(Option::is_some))>
                    <p>
                        {move || {
                            last.get()
                                .map(|a| {
                                    format!(
                                        "Booked {} for {} ({})",
                                        format_money(&a.amount),
                                        a.partner.name,
                                        a.program_name,
                                    )
                                })
                        }}
                    </p>
                </FormSuccess>
            </div>
        </form>
    }
}

/// Search partners by name, email or public id, and pick one of their memberships.
#[component]
fn PartnerPicker(
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

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(direction: &str, amount: &str) -> AdjustmentInputs {
        AdjustmentInputs {
            membership_id: " 7 ".into(),
            direction: direction.into(),
            amount: amount.into(),
            currency: String::new(),
            reason: "Goodwill".into(),
        }
    }

    #[test]
    fn a_debit_is_sent_as_a_negative_amount_in_the_programs_currency() {
        let credit = inputs("credit", "25.00").to_request().unwrap();
        assert_eq!((credit.membership_id, credit.amount.as_str()), (7, "25.00"));
        assert_eq!(credit.currency, None);
        let debit = inputs("debit", " -10 ").to_request().unwrap();
        assert_eq!(debit.amount, "-10");
    }

    #[test]
    fn a_missing_membership_or_amount_is_a_field_error() {
        let errors = AdjustmentInputs {
            membership_id: "ann".into(),
            ..inputs("credit", "")
        }
        .to_request()
        .unwrap_err();
        assert!(errors.contains_key("membership_id"));
        assert!(errors.contains_key("amount"));
        assert!(!can_search_partners(Some(Role::Finance)));
        assert!(can_search_partners(Some(Role::Admin)));
    }
}
