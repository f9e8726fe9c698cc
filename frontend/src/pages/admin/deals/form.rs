//! Closing one deal: the status, and for a won deal its amount and currency (the
//! program's unless another is chosen).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use partnerly_domain::FieldErrors;
use partnerly_domain::deal::{AdminDealView, ChangeDealRequest, DealStatus};

use super::status_options;
use crate::api::{ApiFailure, admin};
use crate::components::form::{
    FormAlert, SelectField, SubmitButton, TextField, choice, currency_options, failure_of, field,
    field_error,
};
use crate::format::format_datetime;
use crate::session::use_session;

/// The form's id, to bring it into view.
pub(super) const FORM_ID: &str = "deal-form";

/// The change, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct DealInputs {
    status: DealStatus,
    /// Only for a won deal.
    amount: String,
    /// Empty for the program's currency.
    currency: String,
}

impl DealInputs {
    /// A pending deal is about to be closed as won; a closed one starts as it is.
    fn of(deal: &AdminDealView) -> Self {
        let deal = &deal.deal;
        Self {
            status: match deal.status {
                DealStatus::Pending => DealStatus::Won,
                closed => closed,
            },
            amount: deal
                .amount
                .as_ref()
                .map(|a| a.amount.clone())
                .unwrap_or_default(),
            currency: deal
                .amount
                .as_ref()
                .map(|a| a.currency.code().to_owned())
                .unwrap_or_default(),
        }
    }

    /// The request: an amount and currency only for a won deal.
    fn to_request(&self) -> Result<ChangeDealRequest, FieldErrors> {
        let won = self.status == DealStatus::Won;
        let amount = self.amount.trim();
        if won && amount.is_empty() {
            let mut errors = FieldErrors::new();
            errors.insert(
                "amount".into(),
                "Enter the deal's amount, like 1200.00.".into(),
            );
            return Err(errors);
        }
        Ok(ChangeDealRequest {
            status: self.status,
            amount: won.then(|| amount.to_owned()),
            currency: (won && !self.currency.is_empty()).then(|| self.currency.clone()),
        })
    }
}

/// The deal's contact and message, and the change.
#[component]
pub(super) fn DealForm(
    /// The deal as listed.
    deal: AdminDealView,
    /// Called with the deal as stored.
    on_saved: Callback<AdminDealView>,
    /// Closes the form.
    on_cancel: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let id = deal.deal.id;
    let form = RwSignal::new(DealInputs::of(&deal));
    let save = Action::new_local(move |inputs: &DealInputs| {
        let request = inputs.to_request();
        async move {
            let request = request.map_err(ApiFailure::from_fields)?;
            on_saved.run(admin::change_deal(session, id, &request).await?);
            Ok::<_, ApiFailure>(())
        }
    });
    let failure = failure_of(save);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        save.dispatch_local(form.get_untracked());
    };
    let won = move || form.with(|f| f.status == DealStatus::Won);
    let AdminDealView {
        deal,
        partner,
        message,
    } = deal;
    let contact = match &deal.company {
        Some(company) => format!("{} ({company}), {}", deal.name, deal.email),
        None => format!("{}, {}", deal.name, deal.email),
    };
    let link = deal
        .link_label
        .filter(|l| !l.is_empty())
        .map(|l| format!(", link “{l}”"))
        .unwrap_or_default();

    view! {
        <section class="panel deal-form" id=FORM_ID aria-labelledby="deal-form-heading">
            <h2 id="deal-form-heading">{format!("Deal with {}", deal.name)}</h2>
            <dl class="facts">
                <div>
                    <dt>"Contact"</dt>
                    <dd>{contact}</dd>
                </div>
                <div>
                    <dt>"Partner"</dt>
                    <dd>{format!("{}, {}{link}", partner.name, deal.program_name)}</dd>
                </div>
                <div>
                    <dt>"Received"</dt>
                    <dd>{format_datetime(deal.created_at)}</dd>
                </div>
                <div>
                    <dt>"Message"</dt>
                    <dd class="reason">{if message.is_empty() { "—".to_owned() } else { message }}</dd>
                </div>
            </dl>
            <form aria-label="Close the deal" novalidate on:submit=on_submit>
                <FormAlert failure fields=&["status", "amount", "currency"] />
                <SelectField
                    id="deal-status"
                    label="Status"
                    value=choice!(form.status)
                    options=status_options()
                    error=field_error(failure, "status")
                    required=true
                />
                <div class="field-row" hidden=move || !won()>
                    <TextField
                        id="deal-amount"
                        label="Amount"
                        value=field!(form.amount)
                        error=field_error(failure, "amount")
                        inputmode="decimal"
                        hint="What the customer pays, like 1200.00."
                    />
                    <SelectField
                        id="deal-currency"
                        label="Currency"
                        value=field!(form.currency)
                        options=currency_options()
                        empty_label="The program's currency"
                        error=field_error(failure, "currency")
                    />
                </div>
                <div class="form-actions">
                    <SubmitButton label="Save deal" pending=save.pending() />
                    <button
                        type="button"
                        class="button button-quiet"
                        on:click=move |_| on_cancel.run(())
                    >
                        "Cancel"
                    </button>
                </div>
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(status: DealStatus, amount: &str) -> DealInputs {
        DealInputs {
            status,
            amount: amount.into(),
            currency: "EUR".into(),
        }
    }

    #[test]
    fn only_a_won_deal_sends_an_amount_and_needs_one() {
        let won = inputs(DealStatus::Won, " 1200 ").to_request().unwrap();
        assert_eq!(won.amount.as_deref(), Some("1200"));
        assert_eq!(won.currency.as_deref(), Some("EUR"));
        let lost = inputs(DealStatus::Lost, "1200").to_request().unwrap();
        assert_eq!((lost.amount, lost.currency), (None, None));
        assert!(
            inputs(DealStatus::Won, "")
                .to_request()
                .unwrap_err()
                .contains_key("amount")
        );
    }
}
