//! The form that books an adjustment: membership, direction, amount, currency, reason.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use partnerly_domain::FieldErrors;
use partnerly_domain::account::Role;
use partnerly_domain::adjustment::{AdjustmentView, CreateAdjustmentRequest};

use super::picker::PartnerPicker;
use crate::api::{ApiFailure, admin};
use crate::components::form::{
    FormAlert, FormSuccess, SelectField, SubmitButton, TextAreaField, TextField, choice,
    currency_options, failure_of, field, field_error, stored_choices,
};
use crate::format::format_money;
use crate::session::use_session;

/// Whether the role may search partners (`GET /admin/partners` is for managers and
/// admins; finance staff type the membership's number instead).
fn can_search_partners(role: Option<Role>) -> bool {
    matches!(role, Some(Role::Manager | Role::Admin))
}

/// Whether an adjustment adds to the balance or takes from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Credit,
    Debit,
}

stored_choices!(Direction);

impl Direction {
    /// Both, in the order they are offered.
    const ALL: [Direction; 2] = [Direction::Credit, Direction::Debit];

    /// The select's value.
    fn as_str(self) -> &'static str {
        match self {
            Direction::Credit => "credit",
            Direction::Debit => "debit",
        }
    }

    /// Reads the select's value.
    fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == raw)
    }

    /// In words, as offered.
    fn words(self) -> &'static str {
        match self {
            Direction::Credit => "Credit (add to the balance)",
            Direction::Debit => "Debit (take from the balance)",
        }
    }
}

/// The form's inputs, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct AdjustmentInputs {
    membership_id: String,
    direction: Direction,
    amount: String,
    /// Empty for the program's currency.
    currency: String,
    reason: String,
}

impl AdjustmentInputs {
    /// A credit, in the program's currency.
    fn empty() -> Self {
        Self {
            membership_id: String::new(),
            direction: Direction::Credit,
            amount: String::new(),
            currency: String::new(),
            reason: String::new(),
        }
    }

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
        let amount = match self.direction {
            Direction::Debit => format!("-{amount}"),
            Direction::Credit => amount.to_owned(),
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
pub(super) fn AdjustmentForm(
    /// Called with the adjustment as booked.
    on_created: Callback<AdjustmentView>,
) -> impl IntoView {
    let session = use_session();
    let form = RwSignal::new(AdjustmentInputs::empty());
    // What the picked membership is, in words.
    let picked = RwSignal::new(None::<String>);
    let last = RwSignal::new(None::<AdjustmentView>);

    let create = Action::new_local(move |inputs: &AdjustmentInputs| {
        let inputs = inputs.clone();
        async move {
            let request = inputs.to_request().map_err(ApiFailure::from_fields)?;
            let adjustment = admin::create_adjustment(session, &request).await?;
            form.update(|f| {
                f.amount.clear();
                f.reason.clear();
            });
            last.set(Some(adjustment.clone()));
            on_created.run(adjustment);
            Ok::<_, ApiFailure>(())
        }
    });
    let failure = failure_of(create);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        create.dispatch_local(form.get_untracked());
    };
    let on_pick = Callback::new(move |(id, words): (i64, String)| {
        form.update(|f| f.membership_id = id.to_string());
        picked.set(Some(words));
    });
    let searchable = can_search_partners(session.role());
    let directions = Direction::ALL
        .map(|d| (d.as_str(), d.words().to_owned()))
        .to_vec();
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
                    value=field!(form.membership_id)
                    error=field_error(failure, "membership_id")
                    inputmode="numeric"
                    hint
                    required=true
                />
                <SelectField
                    id="adjustment-direction"
                    label="Direction"
                    value=choice!(form.direction)
                    options=directions
                    error=field_error(failure, "direction")
                    required=true
                />
            </div>
            <div class="field-row">
                <TextField
                    id="adjustment-amount"
                    label="Amount"
                    value=field!(form.amount)
                    error=field_error(failure, "amount")
                    inputmode="decimal"
                    hint="Like 25.00."
                    required=true
                />
                <SelectField
                    id="adjustment-currency"
                    label="Currency"
                    value=field!(form.currency)
                    options=currency_options()
                    empty_label="The program's currency"
                    error=field_error(failure, "currency")
                />
            </div>
            <TextAreaField
                id="adjustment-reason"
                label="Reason"
                value=field!(form.reason)
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
#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(direction: Direction, amount: &str) -> AdjustmentInputs {
        AdjustmentInputs {
            membership_id: " 7 ".into(),
            direction,
            amount: amount.into(),
            currency: String::new(),
            reason: "Goodwill".into(),
        }
    }

    #[test]
    fn a_debit_is_sent_as_a_negative_amount_in_the_programs_currency() {
        let credit = inputs(Direction::Credit, "25.00").to_request().unwrap();
        assert_eq!((credit.membership_id, credit.amount.as_str()), (7, "25.00"));
        assert_eq!(credit.currency, None);
        let debit = inputs(Direction::Debit, " -10 ").to_request().unwrap();
        assert_eq!(debit.amount, "-10");
        for direction in Direction::ALL {
            assert_eq!(Direction::parse(direction.as_str()), Some(direction));
        }
    }

    #[test]
    fn a_missing_membership_or_amount_is_a_field_error() {
        let errors = AdjustmentInputs {
            membership_id: "ann".into(),
            ..inputs(Direction::Credit, "")
        }
        .to_request()
        .unwrap_err();
        assert!(errors.contains_key("membership_id"));
        assert!(errors.contains_key("amount"));
        assert!(!can_search_partners(Some(Role::Finance)));
        assert!(can_search_partners(Some(Role::Admin)));
    }
}
