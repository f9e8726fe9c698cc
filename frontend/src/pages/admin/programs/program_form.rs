//! A program's settings: the form that creates a program, and edits one on its page.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use partnerly_domain::FieldErrors;
use partnerly_domain::program::{
    CreateProgramRequest, PayoutSchedule, ProgramView, UpdateProgramRequest,
};

use super::whole_number;
use partnerly_domain::tracking::AttributionModel;

use crate::api::{ApiFailure, admin};
use crate::components::form::{
    CheckboxField, FormAlert, SelectField, SubmitActions, TextAreaField, TextField, choice,
    currency_options, failure_of, field, field_error, succeeded,
};
use crate::session::use_session;

/// The program form's inputs, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ProgramInputs {
    name: String,
    /// The currency's code.
    currency: String,
    attribution_window_days: String,
    hold_days: String,
    minimum_payout: String,
    payout_schedule: PayoutSchedule,
    landing_url: String,
    /// One domain per line (commas and spaces separate too).
    allowed_domains: String,
    rules_text: String,
    self_signup: bool,
    attribution_model: AttributionModel,
}

impl ProgramInputs {
    fn from_view(program: &ProgramView) -> Self {
        Self {
            name: program.name.clone(),
            currency: program.currency.code().to_owned(),
            attribution_window_days: program.attribution_window_days.to_string(),
            hold_days: program.hold_days.to_string(),
            minimum_payout: program.minimum_payout.amount.clone(),
            payout_schedule: program.payout_schedule,
            landing_url: program.landing_url.clone(),
            allowed_domains: program.allowed_domains.join("\n"),
            rules_text: program.rules_text.clone(),
            self_signup: program.self_signup,
            attribution_model: program.attribution_model,
        }
    }

    /// A new program starts with the API's defaults.
    fn new_program() -> Self {
        Self {
            name: String::new(),
            currency: "USD".to_owned(),
            attribution_window_days: "14".to_owned(),
            hold_days: "31".to_owned(),
            minimum_payout: "50.00".to_owned(),
            payout_schedule: PayoutSchedule::OnRequest,
            landing_url: String::new(),
            allowed_domains: String::new(),
            rules_text: String::new(),
            self_signup: true,
            attribution_model: AttributionModel::LastClick,
        }
    }

    /// Everything as a creation request; numbers that are not numbers are field errors.
    fn to_request(&self) -> Result<CreateProgramRequest, FieldErrors> {
        let mut errors = FieldErrors::new();
        let window = whole_number(
            &mut errors,
            "attribution_window_days",
            &self.attribution_window_days,
            "14",
        );
        let hold = whole_number(&mut errors, "hold_days", &self.hold_days, "31");
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(CreateProgramRequest {
            name: self.name.clone(),
            currency: self.currency.clone(),
            attribution_window_days: window,
            hold_days: hold,
            minimum_payout: Some(self.minimum_payout.trim().to_owned()),
            payout_schedule: Some(self.payout_schedule),
            landing_url: self.landing_url.clone(),
            allowed_domains: self
                .allowed_domains
                .split(|c: char| c.is_whitespace() || c == ',')
                .filter(|d| !d.is_empty())
                .map(str::to_owned)
                .collect(),
            rules_text: self.rules_text.clone(),
            self_signup: Some(self.self_signup),
            attribution_model: Some(self.attribution_model),
        })
    }
}

/// Every field of a creation, as a change of all of them.
fn as_update(request: CreateProgramRequest) -> UpdateProgramRequest {
    UpdateProgramRequest {
        name: Some(request.name),
        currency: Some(request.currency),
        attribution_window_days: request.attribution_window_days,
        hold_days: request.hold_days,
        minimum_payout: request.minimum_payout,
        payout_schedule: request.payout_schedule,
        landing_url: Some(request.landing_url),
        allowed_domains: Some(request.allowed_domains),
        rules_text: Some(request.rules_text),
        self_signup: request.self_signup,
        attribution_model: request.attribution_model,
    }
}

/// The API fields the program form has inputs for.
const PROGRAM_FIELDS: &[&str] = &[
    "name",
    "currency",
    "attribution_window_days",
    "hold_days",
    "minimum_payout",
    "payout_schedule",
    "landing_url",
    "allowed_domains",
    "attribution_model",
    "rules_text",
];

/// An attribution model in words, as offered.
fn model_words(model: AttributionModel) -> &'static str {
    match model {
        AttributionModel::LastClick => "Last click",
        AttributionModel::FirstClick => "First click",
    }
}

/// A payout schedule in words, as offered.
fn schedule_words(schedule: PayoutSchedule) -> &'static str {
    match schedule {
        PayoutSchedule::OnRequest => "When the partner asks",
        PayoutSchedule::Monthly => "Monthly",
    }
}

/// A program's settings: creates a program, or edits `initial`.
#[component]
pub(super) fn ProgramForm(
    /// The program to edit; `None` creates one.
    initial: Option<ProgramView>,
    /// Called with the program as saved.
    on_saved: Callback<ProgramView>,
) -> impl IntoView {
    let session = use_session();
    let editing = initial.as_ref().map(|p| p.id);
    let form = RwSignal::new(
        initial
            .as_ref()
            .map_or_else(ProgramInputs::new_program, ProgramInputs::from_view),
    );

    let save = Action::new_local(move |inputs: &ProgramInputs| {
        let inputs = inputs.clone();
        async move {
            let request = inputs.to_request().map_err(ApiFailure::from_fields)?;
            let program = match editing {
                Some(id) => admin::update_program(session, id, &as_update(request)).await?,
                None => {
                    request.validate().map_err(ApiFailure::from_fields)?;
                    admin::create_program(session, &request).await?
                }
            };
            // Show what the server stored (trimmed, lower-cased domains, the landing
            // page's host added to the allowed domains).
            form.set(ProgramInputs::from_view(&program));
            on_saved.run(program);
            Ok::<_, ApiFailure>(())
        }
    });
    let failure = failure_of(save);
    let saved = succeeded(save);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        save.dispatch_local(form.get_untracked());
    };
    let schedules = PayoutSchedule::ALL
        .map(|s| (s.as_str(), schedule_words(s).to_owned()))
        .to_vec();
    let models = AttributionModel::ALL
        .map(|m| (m.as_str(), model_words(m).to_owned()))
        .to_vec();
    let label = if editing.is_some() {
        "Save program"
    } else {
        "Create program"
    };

    view! {
        <form aria-label="Program settings" novalidate on:submit=on_submit>
            <FormAlert failure fields=PROGRAM_FIELDS />
            <div class="field-row">
                <TextField
                    id="program-name"
                    label="Program name"
                    value=field!(form.name)
                    error=field_error(failure, "name")
                    required=true
                />
                <SelectField
                    id="program-currency"
                    label="Currency"
                    value=field!(form.currency)
                    options=currency_options()
                    error=field_error(failure, "currency")
                    required=true
                />
            </div>
            <div class="field-row">
                <TextField
                    id="program-window"
                    label="Attribution window (days)"
                    value=field!(form.attribution_window_days)
                    error=field_error(failure, "attribution_window_days")
                    inputmode="numeric"
                    hint="1 to 365: how long a click counts."
                />
                <TextField
                    id="program-hold"
                    label="Hold (days)"
                    value=field!(form.hold_days)
                    error=field_error(failure, "hold_days")
                    inputmode="numeric"
                    hint="0 to 365: how long commissions stay pending."
                />
            </div>
            <div class="field-row">
                <TextField
                    id="program-minimum"
                    label="Minimum payout"
                    value=field!(form.minimum_payout)
                    error=field_error(failure, "minimum_payout")
                    inputmode="decimal"
                    hint="In the program's currency, like 50.00."
                />
                <SelectField
                    id="program-schedule"
                    label="Payout schedule"
                    value=choice!(form.payout_schedule)
                    options=schedules
                    error=field_error(failure, "payout_schedule")
                    required=true
                />
            </div>
            <TextField
                id="program-landing"
                label="Landing URL"
                value=field!(form.landing_url)
                error=field_error(failure, "landing_url")
                input_type="url"
                hint="Where referral links send visitors, like https://example.com/."
                required=true
            />
            <TextAreaField
                id="program-domains"
                label="Allowed domains"
                value=field!(form.allowed_domains)
                error=field_error(failure, "allowed_domains")
                hint="One per line. Links may only send visitors to these hosts; empty means the landing page's host."
                rows=3
            />
            <SelectField
                id="program-model"
                label="Attribution"
                value=choice!(form.attribution_model)
                options=models
                error=field_error(failure, "attribution_model")
                required=true
            />
            <TextAreaField
                id="program-rules"
                label="Rules"
                value=field!(form.rules_text)
                error=field_error(failure, "rules_text")
                hint="What partners read about the program."
                rows=5
            />
            <CheckboxField
                id="program-self-signup"
                label="Partners join by signing up"
                checked=field!(form.self_signup)
                hint="Otherwise partners are added to this program by staff."
            />
            <SubmitActions
                label
                pending=save.pending()
                done=Signal::derive(move || editing.is_some() && saved.get())
            />
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_domains_are_one_per_line_or_separated_by_commas() {
        let inputs = ProgramInputs {
            allowed_domains: "example.com\n www.example.com, app.example.com\n\n".into(),
            ..ProgramInputs::new_program()
        };
        let request = inputs.to_request().unwrap();
        assert_eq!(
            request.allowed_domains,
            ["example.com", "www.example.com", "app.example.com"]
        );
        assert_eq!(request.payout_schedule, Some(PayoutSchedule::OnRequest));
        let bad = ProgramInputs {
            hold_days: "a month".into(),
            ..ProgramInputs::new_program()
        };
        assert!(bad.to_request().unwrap_err().contains_key("hold_days"));
    }
}
