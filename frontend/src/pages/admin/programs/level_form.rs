//! One level's settings: the form that adds a level to a program, and edits one.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use partnerly_domain::FieldErrors;
use partnerly_domain::level::{DurationKind, RuleDuration, ThresholdKind, Track};
use partnerly_domain::level_settings::{
    BonusTrigger, ClientBonusInput, CreateLevelRequest, LevelView, ThresholdInput, ThresholdView,
    UpdateLevelRequest,
};
use partnerly_domain::money::Currency;

use super::levels::track_words;
use super::{optional, whole_number};
use crate::api::{ApiFailure, admin};
use crate::components::form::{
    FormAlert, SelectField, SubmitButton, TextField, choice, failure_of, field, field_error,
    fields_error,
};
use crate::session::use_session;

/// The level form's inputs, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct LevelInputs {
    name: String,
    position: String,
    track: Track,
    flat: String,
    percent: String,
    duration: DurationKind,
    /// For [`DurationKind::Months`].
    months: String,
    bonus: String,
    bonus_trigger: BonusTrigger,
    /// `None` for a starting level.
    threshold: Option<ThresholdKind>,
    /// The count or the amount of the threshold.
    threshold_value: String,
}

impl LevelInputs {
    fn from_view(level: &LevelView) -> Self {
        let months = match level.duration {
            RuleDuration::Months { months } => months.to_string(),
            RuleDuration::FirstPayment {} | RuleDuration::Lifetime {} => String::new(),
        };
        let (threshold, threshold_value) = match &level.threshold {
            Some(ThresholdView::PayingCustomers { count }) => {
                (Some(ThresholdKind::PayingCustomers), count.to_string())
            }
            Some(ThresholdView::SalesVolume { amount }) => {
                (Some(ThresholdKind::SalesVolume), amount.amount.clone())
            }
            None => (None, String::new()),
        };
        Self {
            name: level.name.clone(),
            position: level.position.to_string(),
            track: level.track,
            flat: level
                .flat_first_payment
                .as_ref()
                .map(|m| m.amount.clone())
                .unwrap_or_default(),
            percent: level
                .percent
                .map(|r| r.percent().to_string())
                .unwrap_or_default(),
            duration: DurationKind::of(level.duration),
            months,
            bonus: level
                .client_bonus
                .as_ref()
                .map(|b| b.amount.amount.clone())
                .unwrap_or_default(),
            bonus_trigger: level
                .client_bonus
                .as_ref()
                .map_or(BonusTrigger::FirstPayment, |b| b.trigger),
            threshold,
            threshold_value,
        }
    }

    fn new_level(position: i32) -> Self {
        Self {
            name: String::new(),
            position: position.to_string(),
            track: Track::Referral,
            flat: String::new(),
            percent: String::new(),
            duration: DurationKind::Lifetime,
            months: String::new(),
            bonus: String::new(),
            bonus_trigger: BonusTrigger::FirstPayment,
            threshold: None,
            threshold_value: String::new(),
        }
    }

    /// Everything as a creation request; what cannot be read is a field error with the
    /// API's field name.
    fn to_request(&self) -> Result<CreateLevelRequest, FieldErrors> {
        let mut errors = FieldErrors::new();
        let position = whole_number(&mut errors, "position", &self.position, "2");
        let duration = match self.duration {
            DurationKind::FirstPayment => Some(RuleDuration::FirstPayment {}),
            DurationKind::Months => {
                whole_number(&mut errors, "duration.months", &self.months, "12")
                    .map(|months| RuleDuration::Months { months })
            }
            DurationKind::Lifetime => Some(RuleDuration::Lifetime {}),
        };
        let threshold = match self.threshold {
            Some(ThresholdKind::PayingCustomers) => {
                whole_number(&mut errors, "threshold.count", &self.threshold_value, "5")
                    .map(|count| Some(ThresholdInput::PayingCustomers { count }))
            }
            Some(ThresholdKind::SalesVolume) => match optional(&self.threshold_value) {
                Some(amount) => Some(Some(ThresholdInput::SalesVolume { amount })),
                None => {
                    errors.insert(
                        "threshold.amount".to_owned(),
                        "Enter the sales that promote a partner, like 1000.00.".to_owned(),
                    );
                    None
                }
            },
            None => Some(None),
        };
        match (position, duration, threshold) {
            (Some(position), Some(duration), Some(threshold)) if errors.is_empty() => {
                Ok(CreateLevelRequest {
                    name: self.name.clone(),
                    position,
                    track: self.track,
                    flat_first_payment: optional(&self.flat),
                    percent: optional(&self.percent),
                    duration,
                    client_bonus: optional(&self.bonus).map(|amount| ClientBonusInput {
                        amount,
                        trigger: self.bonus_trigger,
                    }),
                    threshold,
                })
            }
            _ => Err(errors),
        }
    }
}

/// Every field of a creation, as a change of all of them (`null` clears).
fn level_update(request: CreateLevelRequest) -> UpdateLevelRequest {
    UpdateLevelRequest {
        name: Some(request.name),
        position: Some(request.position),
        track: Some(request.track),
        flat_first_payment: Some(request.flat_first_payment),
        percent: Some(request.percent),
        duration: Some(request.duration),
        client_bonus: Some(request.client_bonus),
        threshold: Some(request.threshold),
    }
}

/// The API fields the level form has inputs for.
const LEVEL_FIELDS: &[&str] = &[
    "name",
    "position",
    "track",
    "flat_first_payment",
    "percent",
    "duration.months",
    "client_bonus.amount",
    "threshold.count",
    "threshold.amount",
];

/// How long the percentage is paid, as offered.
fn duration_choice(kind: DurationKind) -> &'static str {
    match kind {
        DurationKind::FirstPayment => "First payment only",
        DurationKind::Months => "A number of months",
        DurationKind::Lifetime => "For life",
    }
}

/// When the client bonus is given, as offered.
fn trigger_choice(trigger: BonusTrigger) -> &'static str {
    match trigger {
        BonusTrigger::FirstPayment => "At the customer's first payment",
        BonusTrigger::SignUp => "When the customer signs up",
    }
}

/// What promotes a partner, as offered; amounts are in `currency`.
fn threshold_choice(kind: ThresholdKind, currency: Currency) -> String {
    match kind {
        ThresholdKind::PayingCustomers => "Paying customers".to_owned(),
        ThresholdKind::SalesVolume => format!("Sales volume ({})", currency.code()),
    }
}

/// A level's settings: creates a level, or edits `initial`.
#[component]
pub(super) fn LevelForm(
    /// The level's program.
    program_id: i64,
    /// The program's currency, for the hints.
    currency: Currency,
    /// The level to edit; `None` creates one.
    initial: Option<LevelView>,
    /// The position a new level gets unless changed: one above the highest.
    next_position: i32,
    /// Called with the level as saved.
    on_saved: Callback<LevelView>,
    /// Closes the form.
    on_cancel: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let editing = initial.as_ref().map(|l| l.id);
    let form = RwSignal::new(initial.as_ref().map_or_else(
        || LevelInputs::new_level(next_position),
        LevelInputs::from_view,
    ));
    // Which optional inputs are shown: memoised, so that typing elsewhere in the form does
    // not draw them again.
    let months_shown = Memo::new(move |_| form.with(|f| f.duration == DurationKind::Months));
    let threshold_shown = Memo::new(move |_| form.with(|f| f.threshold.is_some()));

    let save = Action::new_local(move |inputs: &LevelInputs| {
        let inputs = inputs.clone();
        async move {
            let request = inputs.to_request().map_err(ApiFailure::from_fields)?;
            let level = match editing {
                Some(id) => admin::update_level(session, id, &level_update(request)).await?,
                None => admin::create_level(session, program_id, &request).await?,
            };
            on_saved.run(level);
            Ok::<_, ApiFailure>(())
        }
    });
    let failure = failure_of(save);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        save.dispatch_local(form.get_untracked());
    };
    let tracks = Track::ALL
        .map(|t| (t.as_str(), track_words(t).to_owned()))
        .to_vec();
    let durations = DurationKind::ALL
        .map(|k| (k.as_str(), duration_choice(k).to_owned()))
        .to_vec();
    let triggers = BonusTrigger::ALL
        .map(|t| (t.as_str(), trigger_choice(t).to_owned()))
        .to_vec();
    let thresholds = ThresholdKind::ALL
        .map(|k| (k.as_str(), threshold_choice(k, currency)))
        .to_vec();
    let label = if editing.is_some() {
        "Save level"
    } else {
        "Create level"
    };

    view! {
        <form aria-label="Level" novalidate on:submit=on_submit>
            <FormAlert failure fields=LEVEL_FIELDS />
            <div class="field-row">
                <TextField
                    id="level-name"
                    label="Level name"
                    value=field!(form.name)
                    error=field_error(failure, "name")
                    required=true
                />
                <TextField
                    id="level-position"
                    label="Position"
                    value=field!(form.position)
                    error=field_error(failure, "position")
                    inputmode="numeric"
                    hint="Higher is better; unique in the program."
                />
            </div>
            <div class="field-row">
                <SelectField
                    id="level-track"
                    label="Track"
                    value=choice!(form.track)
                    options=tracks
                    error=field_error(failure, "track")
                    required=true
                />
            </div>
            <h3 class="form-section">"Commission"</h3>
            <div class="field-row">
                <TextField
                    id="level-flat"
                    label="Flat amount on the first payment"
                    value=field!(form.flat)
                    error=field_error(failure, "flat_first_payment")
                    inputmode="decimal"
                    hint="Optional, like 25.00."
                />
                <TextField
                    id="level-percent"
                    label="Percent of payments"
                    value=field!(form.percent)
                    error=field_error(failure, "percent")
                    inputmode="decimal"
                    hint="Optional, like 20 for 20%."
                />
            </div>
            <div class="field-row">
                <SelectField
                    id="level-duration"
                    label="Percent paid for"
                    value=choice!(form.duration)
                    options=durations
                    error=field_error(failure, "duration")
                    required=true
                />
                {move || {
                    months_shown
                        .get()
                        .then(|| {
                            view! {
                                <TextField
                                    id="level-months"
                                    label="Months"
                                    value=field!(form.months)
                                    error=field_error(failure, "duration.months")
                                    inputmode="numeric"
                                    hint="1 to 120."
                                />
                            }
                        })
                }}
            </div>
            <h3 class="form-section">"Client bonus"</h3>
            <div class="field-row">
                <TextField
                    id="level-bonus"
                    label="Client bonus"
                    value=field!(form.bonus)
                    error=field_error(failure, "client_bonus.amount")
                    inputmode="decimal"
                    hint="Optional: what the referred customer receives."
                />
                <SelectField
                    id="level-bonus-trigger"
                    label="Bonus given"
                    value=choice!(form.bonus_trigger)
                    options=triggers
                    error=field_error(failure, "client_bonus.trigger")
                    required=true
                />
            </div>
            <h3 class="form-section">"Promotion"</h3>
            <div class="field-row">
                <SelectField
                    id="level-threshold"
                    label="Promoted by"
                    value=choice!(form.threshold)
                    options=thresholds
                    empty_label="Nothing (a starting level)"
                    error=field_error(failure, "threshold")
                />
                {move || {
                    threshold_shown
                        .get()
                        .then(|| {
                            view! {
                                <TextField
                                    id="level-threshold-value"
                                    label="Threshold"
                                    value=field!(form.threshold_value)
                                    error=fields_error(
                                        failure,
                                        &["threshold.count", "threshold.amount"],
                                    )
                                    inputmode="decimal"
                                    hint="Customers, or the sales amount."
                                />
                            }
                        })
                }}
            </div>
            <div class="form-actions">
                <SubmitButton label pending=save.pending() />
                <button
                    type="button"
                    class="button button-quiet"
                    on:click=move |_| on_cancel.run(())
                >
                    "Cancel"
                </button>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_level_form_becomes_a_request_with_the_api_field_names_for_errors() {
        let inputs = LevelInputs {
            name: "Gold".into(),
            position: "2".into(),
            track: Track::Referral,
            percent: "30".into(),
            duration: DurationKind::Months,
            months: "twelve".into(),
            threshold: Some(ThresholdKind::PayingCustomers),
            threshold_value: "".into(),
            ..LevelInputs::new_level(1)
        };
        let errors = inputs.to_request().unwrap_err();
        assert!(errors.contains_key("duration.months"));
        assert!(errors.contains_key("threshold.count"));

        let inputs = LevelInputs {
            months: "12".into(),
            threshold_value: "3".into(),
            bonus: " 10 ".into(),
            bonus_trigger: BonusTrigger::SignUp,
            ..inputs
        };
        let request = inputs.to_request().unwrap();
        assert_eq!(request.position, 2);
        assert_eq!(request.flat_first_payment, None);
        assert_eq!(request.percent.as_deref(), Some("30"));
        assert_eq!(request.duration, RuleDuration::Months { months: 12 });
        assert_eq!(
            request.threshold,
            Some(ThresholdInput::PayingCustomers { count: 3 })
        );
        assert_eq!(
            request.client_bonus,
            Some(ClientBonusInput {
                amount: "10".into(),
                trigger: BonusTrigger::SignUp
            })
        );
        // An edit sends every field, clearing the ones left blank.
        let update = level_update(request);
        assert_eq!(update.flat_first_payment, Some(None));
    }

    #[test]
    fn a_new_level_is_a_lifetime_referral_level_without_a_threshold() {
        let request = LevelInputs {
            name: "Iron".into(),
            percent: "20".into(),
            ..LevelInputs::new_level(1)
        }
        .to_request()
        .unwrap();
        assert_eq!(request.track, Track::Referral);
        assert_eq!(request.duration, RuleDuration::Lifetime {});
        assert_eq!(request.threshold, None);
        assert_eq!(request.client_bonus, None);
    }
}
